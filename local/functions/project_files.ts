// What the functions runner reads from the project: `[functions.<name>]` of supabase/config.toml
// and the secrets file supabase/functions/.env, both as the Supabase CLI reads them.

import { parse as parseToml } from "smol-toml";

export interface FunctionSettings {
  /** Refuse requests without a valid JWT before the function runs (config.toml default: true). */
  verifyJwt: boolean;
}

const DEFAULT_SETTINGS: FunctionSettings = { verifyJwt: true };

export type FunctionSettingsLookup = (name: string) => FunctionSettings;

async function readTextIfPresent(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Reads the per-function settings of supabase/config.toml; throws on invalid TOML. */
export async function readFunctionSettings(configPath: string): Promise<FunctionSettingsLookup> {
  const text = await readTextIfPresent(configPath);
  const tables = (text === undefined ? {} : parseToml(text).functions ?? {}) as Record<
    string,
    { verify_jwt?: unknown }
  >;
  return (name) => {
    const verifyJwt = Object.hasOwn(tables, name) ? tables[name].verify_jwt : undefined;
    return typeof verifyJwt === "boolean" ? { verifyJwt } : DEFAULT_SETTINGS;
  };
}

/**
 * Reads a dotenv file (`KEY=value` lines, `#` comments, optional `export`, single or double quotes,
 * `\n` escapes inside double quotes). A missing file is empty.
 */
export async function readDotEnv(path: string): Promise<Record<string, string>> {
  const text = await readTextIfPresent(path);
  const variables: Record<string, string> = {};
  for (const rawLine of text?.split(/\r?\n/) ?? []) {
    const match = rawLine.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/);
    if (!match) continue;
    const [, key, rawValue] = match;
    const quote = rawValue[0];
    if ((quote === '"' || quote === "'") && rawValue.endsWith(quote) && rawValue.length > 1) {
      const inner = rawValue.slice(1, -1);
      variables[key] = quote === '"' ? inner.replaceAll("\\n", "\n") : inner;
    } else {
      variables[key] = rawValue.replace(/\s+#.*$/, "");
    }
  }
  return variables;
}
