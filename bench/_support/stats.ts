// What every benchmark shares: latency summaries, a printed table, and a results file in
// bench/results/<name>.json that records the machine it ran on.

export interface LatencySummary {
  count: number;
  /** Milliseconds. */
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** The p-th percentile (0-100) of `samples`, nearest-rank method. NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, sample) => total + sample, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

/** Milliseconds each of `samples` calls of `run`, one after the other, after `warmUps` untimed. */
export async function timeRuns(
  run: () => Promise<unknown>,
  samples: number,
  warmUps: number,
): Promise<number[]> {
  for (let warmUp = 0; warmUp < warmUps; warmUp++) await run();
  const durations: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const startedAt = performance.now();
    await run();
    durations.push(performance.now() - startedAt);
  }
  return durations;
}

/** Rounds for display: 2 decimals under 10, 1 under 100, none above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const decimals = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return Number(value.toFixed(decimals));
}

/** Prints rows as an aligned text table; numbers are rounded and right-aligned. */
export function printTable(rows: readonly Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const cell = (value: string | number | undefined) =>
    typeof value === "number" ? String(round(value)) : value ?? "";
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => cell(row[column]).length))
  );
  const line = (values: string[], numeric: boolean[]) =>
    values.map((value, i) => numeric[i] ? value.padStart(widths[i]) : value.padEnd(widths[i]))
      .join("  ");
  const numeric = columns.map((column) => typeof rows[0][column] === "number");
  console.log(line(columns, numeric));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows) console.log(line(columns.map((column) => cell(row[column])), numeric));
}

/**
 * Writes bench/results/<name>.json: the results plus when and where they were measured, and what
 * `machine` says of the machine's speed during the run (machine_speed.ts).
 */
export async function writeResults(
  name: string,
  results: unknown,
  machine: Record<string, unknown> = {},
): Promise<string> {
  const directory = new URL("../results/", import.meta.url);
  await Deno.mkdir(directory, { recursive: true });
  const path = new URL(`${name}.json`, directory).pathname;
  const environment = {
    measuredAt: new Date().toISOString(),
    deno: Deno.version.deno,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    cpus: navigator.hardwareConcurrency,
    ...machine,
  };
  await Deno.writeTextFile(path, JSON.stringify({ environment, results }, null, 2) + "\n");
  return path;
}
