// Where /storage/v1 keeps object bytes locally: one file per object, `<root>/<bucket>/<digest>`,
// and its content type and cache control beside it in `<digest>.json`, so a download answers the
// type the object was uploaded with (lite's own filesystem adapter guesses it from the file
// extension, and is not exported). Files are named by the SHA-256 of the object name: any name
// (any length, any characters, `..` included) maps to one short file name, which cannot escape
// the bucket's directory.
// Object rows (storage.objects) live in Postgres; this only holds what S3 would.

import { createHash } from "node:crypto";
import { join, resolve } from "node:path";

interface ObjectMetadata {
  cacheControl: string;
  contentLength: number;
  size: number;
  mimetype: string;
  lastModified?: Date;
  eTag: string;
  contentRange?: string;
  httpStatusCode?: number;
}

interface StoredMetadata {
  mimetype: string;
  cacheControl: string;
  eTag: string;
}

type Body = ReadableStream<Uint8Array> | Uint8Array;

export class FilesystemObjectStore {
  readonly driver = null;
  readonly #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  /** The file holding `bucket/key` (`.json` suffix: its metadata). */
  #path(bucket: string, key: string, suffix = ""): string {
    const digest = createHash("sha256").update(key).digest("hex");
    return join(this.#root, encodeURIComponent(bucket), digest + suffix);
  }

  async #metadata(bucket: string, key: string): Promise<ObjectMetadata> {
    const [stat, stored] = await Promise.all([
      Deno.stat(this.#path(bucket, key)),
      Deno.readTextFile(this.#path(bucket, key, ".json")).then(
        (text) => JSON.parse(text) as StoredMetadata,
        () => ({ mimetype: "application/octet-stream", cacheControl: "no-cache", eTag: '""' }),
      ),
    ]);
    return {
      cacheControl: stored.cacheControl,
      contentLength: stat.size,
      size: stat.size,
      mimetype: stored.mimetype,
      lastModified: stat.mtime ?? undefined,
      eTag: stored.eTag,
    };
  }

  async getObject(
    bucket: string,
    key: string,
    _version: string | undefined,
    headers?: { ifNoneMatch?: string; range?: string },
  ) {
    const metadata = await this.#metadata(bucket, key);
    if (headers?.ifNoneMatch && headers.ifNoneMatch === metadata.eTag) {
      return { httpStatusCode: 304, metadata };
    }
    const file = await Deno.open(this.#path(bucket, key));
    const range = headers?.range?.match(/^bytes=(\d+)-(\d*)$/);
    if (!range) return { httpStatusCode: 200, metadata, body: file.readable };
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : metadata.size - 1, metadata.size - 1);
    await file.seek(start, Deno.SeekMode.Start);
    const body = file.readable.pipeThrough(limitBytes(end - start + 1));
    return {
      httpStatusCode: 206,
      metadata: {
        ...metadata,
        contentLength: end - start + 1,
        contentRange: `bytes ${start}-${end}/${metadata.size}`,
      },
      body,
    };
  }

  async uploadObject(
    bucket: string,
    key: string,
    _version: string | undefined,
    body: Body,
    contentType: string,
    cacheControl: string,
  ): Promise<ObjectMetadata> {
    const path = this.#path(bucket, key);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    // Written beside the final name, then renamed: a reader never sees half an object.
    const partial = `${path}.${crypto.randomUUID()}.partial`;
    const hash = createHash("md5");
    const tap = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        hash.update(chunk);
        controller.enqueue(chunk);
      },
    });
    try {
      const stream = body instanceof Uint8Array ? ReadableStream.from([body]) : body;
      await stream.pipeThrough(tap).pipeTo((await Deno.create(partial)).writable);
      await Deno.rename(partial, path);
    } catch (error) {
      await Deno.remove(partial).catch(() => {});
      throw error;
    }
    const stored: StoredMetadata = {
      mimetype: contentType,
      cacheControl,
      eTag: `"${hash.digest("hex")}"`,
    };
    await Deno.writeTextFile(this.#path(bucket, key, ".json"), JSON.stringify(stored));
    return await this.#metadata(bucket, key);
  }

  async deleteObject(bucket: string, key: string, _version?: string): Promise<void> {
    for (const path of [this.#path(bucket, key), this.#path(bucket, key, ".json")]) {
      await Deno.remove(path).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
  }

  async deleteObjects(bucket: string, keys: string[]): Promise<void> {
    for (const key of keys) await this.deleteObject(bucket, key);
  }

  async copyObject(
    sourceBucket: string,
    source: string,
    _version: string | undefined,
    destinationBucket: string,
    destination: string,
  ) {
    const metadata = await this.#metadata(sourceBucket, source);
    const file = await Deno.open(this.#path(sourceBucket, source));
    const copied = await this.uploadObject(
      destinationBucket,
      destination,
      undefined,
      file.readable,
      metadata.mimetype,
      metadata.cacheControl,
    );
    return { httpStatusCode: 200, eTag: copied.eTag, lastModified: copied.lastModified };
  }

  async headObject(bucket: string, key: string, _version?: string): Promise<ObjectMetadata> {
    return await this.#metadata(bucket, key);
  }

  privateAssetUrl(bucket: string, key: string, _version?: string): Promise<string> {
    return Promise.resolve(`file://${this.#path(bucket, key)}`);
  }
}

/** Passes the first `count` bytes of a stream through and ends it there. */
function limitBytes(count: number): TransformStream<Uint8Array, Uint8Array> {
  let left = count;
  return new TransformStream({
    transform(chunk, controller) {
      if (left <= 0) return;
      controller.enqueue(chunk.subarray(0, left));
      left -= chunk.byteLength;
      if (left <= 0) controller.terminate();
    },
  });
}
