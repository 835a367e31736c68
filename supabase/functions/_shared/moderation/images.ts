// Image analysis behind a provider interface, off by default: a deployment turns it on with
// MODERATION_IMAGE_PROVIDER=http, MODERATION_IMAGE_API_URL and MODERATION_IMAGE_API_KEY, pointing
// at any service that answers the small JSON contract of `httpImageAnalysis` (an adapter in front
// of a cloud vision API, for instance). Without it, images only go through the link checks.

import type { Env } from "../platform.ts";

export interface ImageVerdict {
  url: string;
  /** True when the image must not be shown (nudity, violence, hate symbols…). */
  unsafe: boolean;
  /** What the provider saw, for the admin. */
  labels: string[];
}

export interface ImageAnalysisProvider {
  readonly name: string;
  /** Analyses images by URL. Throws on a transient failure (the message is retried). */
  analyze(imageUrls: string[]): Promise<ImageVerdict[]>;
}

/**
 * POST {images: [url…]} with a bearer key; expects {results: [{url, unsafe, labels}]}.
 * A result missing for an image counts as "not analysed", never as safe or unsafe.
 */
export function httpImageAnalysis(apiUrl: string, apiKey: string): ImageAnalysisProvider {
  return {
    name: "http",
    async analyze(imageUrls) {
      const response = await fetch(apiUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ images: imageUrls }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`image analysis answered ${response.status}`);
      }
      const payload = await response.json() as { results?: unknown };
      if (!Array.isArray(payload.results)) throw new Error("image analysis: no results array");
      return payload.results
        .filter((result): result is ImageVerdict =>
          typeof result?.url === "string" && typeof result?.unsafe === "boolean"
        )
        .map((result) => ({
          url: result.url,
          unsafe: result.unsafe,
          labels: Array.isArray(result.labels) ? result.labels.map(String) : [],
        }));
    },
  };
}

/** The provider configured in the environment, or null (the default: no image analysis). */
export function imageAnalysisFromEnv(env: Env): ImageAnalysisProvider | null {
  const provider = env.get("MODERATION_IMAGE_PROVIDER") ?? "none";
  if (provider === "none") return null;
  if (provider === "http") {
    const apiUrl = env.get("MODERATION_IMAGE_API_URL");
    const apiKey = env.get("MODERATION_IMAGE_API_KEY");
    if (!apiUrl || !apiKey) {
      throw new Error("MODERATION_IMAGE_PROVIDER=http needs MODERATION_IMAGE_API_URL and _KEY");
    }
    return httpImageAnalysis(apiUrl, apiKey);
  }
  throw new Error(`unknown MODERATION_IMAGE_PROVIDER ${provider} (none or http)`);
}
