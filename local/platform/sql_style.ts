// The SQL style of supabase/migrations, checked by `npm test` (docs/decisions.md, "SQL style").
// A checker rather than a formatter: no SQL formatter formats PL/pgSQL bodies, and reformatting
// every line of the history would rewrite code for nothing. Each rule keeps one convention:
//   definer-search-path  a security definer function sets `search_path = ''`;
//   no-function-revoke   no per-function `revoke … from public/anon/authenticated`: functions are
//                        denied by default (20261125000500), a role that must call one is granted;
//   raise-using-message  `raise exception using errcode = …, message = format(…)`, not a string;
//   named-alias          no single-letter table alias (`from private.work_queues w`);
//   function-attributes  a function's language, volatility, strictness, security and parallel
//                        safety on one line, as pg_dump prints them (`language sql stable security
//                        definer`): one attribute a line made every header a six-line copy of the
//                        others, which hid real copies in `duplicates`.
// Run: deno run --allow-read local/platform/sql_style.ts [files…] (default: every migration).

export interface Violation {
  file: string;
  line: number;
  rule: string;
  text: string;
}

/** Comments and string literals blanked out (same length, newlines kept), so that line numbers hold. */
function codeOnly(sql: string): string {
  return sql.replace(/--[^\n]*|'(?:[^']|'')*'/g, (match) => {
    const blank = match.replace(/[^\n]/g, " ");
    return match.startsWith("'") ? `'${blank.slice(1, -1)}'` : blank;
  });
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/** The attributes of every function: its header up to the body, and what follows the body. */
function functionDefinitions(
  code: string,
): { index: number; header: string; attributes: string }[] {
  const definitions: { index: number; header: string; attributes: string }[] = [];
  const start = /\bcreate\s+(?:or\s+replace\s+)?function\b/gi;
  for (let match = start.exec(code); match; match = start.exec(code)) {
    const rest = code.slice(match.index);
    const opener = /\bas\s+(\$[a-z_]*\$)/i.exec(rest);
    if (!opener) continue;
    const bodyStart = opener.index + opener[0].length;
    const bodyEnd = rest.indexOf(opener[1], bodyStart);
    if (bodyEnd < 0) continue;
    const afterBody = rest.slice(bodyEnd + opener[1].length);
    const statementEnd = afterBody.indexOf(";");
    definitions.push({
      index: match.index,
      header: rest.slice(0, opener.index),
      attributes: rest.slice(0, opener.index) + " " +
        afterBody.slice(0, statementEnd < 0 ? undefined : statementEnd),
    });
    start.lastIndex = match.index + bodyEnd + opener[1].length;
  }
  return definitions;
}

const LINE_RULES: { rule: string; pattern: RegExp }[] = [
  {
    rule: "no-function-revoke",
    pattern:
      /\brevoke\s[^;]*?\bon\s+(?:function|routine|procedure)\s[^;]*?\bfrom\s[^;]*?\b(?:public|anon|authenticated)\b[^;]*;/gi,
  },
  { rule: "raise-using-message", pattern: /\braise\s+(?:exception\s+)?'/gi },
  {
    rule: "named-alias",
    pattern:
      /\b(?:from|join|update|into)\s+(?:[a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*\s+(?:as\s+)?[a-z]\b/gi,
  },
];

/** One attribute clause alone on its line (`stable`, `security definer`, `language sql`…). */
const LONE_ATTRIBUTE =
  /^[ \t]*(?:language\s+\w+|immutable|stable|volatile|strict|leakproof|security\s+(?:definer|invoker)|parallel\s+(?:safe|restricted|unsafe))[ \t]*$/i;

/** Index (in the header) of a line of attributes that continues the line before it, if any. */
function splitAttributes(header: string): number | undefined {
  let offset = 0;
  let previousWasAttribute = false;
  for (const line of header.split("\n")) {
    const isAttribute = LONE_ATTRIBUTE.test(line);
    if (isAttribute && previousWasAttribute) return offset;
    previousWasAttribute = isAttribute;
    offset += line.length + 1;
  }
  return undefined;
}

export function checkMigration(file: string, sql: string): Violation[] {
  const code = codeOnly(sql);
  const lines = sql.split("\n");
  const violations: Violation[] = [];
  const report = (rule: string, index: number) => {
    const line = lineOf(code, index);
    violations.push({ file, line, rule, text: lines[line - 1].trim() });
  };
  for (const definition of functionDefinitions(code)) {
    if (
      /\bsecurity\s+definer\b/i.test(definition.attributes) &&
      !/\bset\s+search_path\s*(?:=|to)\s*''/i.test(definition.attributes)
    ) report("definer-search-path", definition.index);
    const split = splitAttributes(definition.header);
    if (split !== undefined) report("function-attributes", definition.index + split);
  }
  for (const { rule, pattern } of LINE_RULES) {
    for (const match of code.matchAll(pattern)) report(rule, match.index ?? 0);
  }
  return violations.sort((a, b) => a.line - b.line);
}

async function migrationFiles(): Promise<string[]> {
  const directory = new URL("../../supabase/migrations/", import.meta.url);
  const files: string[] = [];
  for await (const entry of Deno.readDir(directory)) {
    if (entry.isFile && entry.name.endsWith(".sql")) {
      files.push(`supabase/migrations/${entry.name}`);
    }
  }
  return files.sort();
}

if (import.meta.main) {
  const root = new URL("../../", import.meta.url);
  const files = Deno.args.length ? Deno.args : await migrationFiles();
  const violations: Violation[] = [];
  for (const file of files) {
    const path = file.startsWith("/") ? file : new URL(file, root);
    violations.push(...checkMigration(file, await Deno.readTextFile(path)));
  }
  for (const violation of violations) {
    console.log(`${violation.file}:${violation.line}: ${violation.rule}: ${violation.text}`);
  }
  console.log(`${files.length} migrations checked, ${violations.length} style violations`);
  if (violations.length) Deno.exit(1);
}
