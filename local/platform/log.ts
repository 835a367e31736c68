// Progress output for long-running platform commands.

const isTty = Deno.stdout.isTerminal();
const bold = (text: string) => isTty ? `\x1b[1m${text}\x1b[0m` : text;
const dim = (text: string) => isTty ? `\x1b[2m${text}\x1b[0m` : text;

const startedAt = performance.now();

function elapsed(): string {
  return `${((performance.now() - startedAt) / 1000).toFixed(1)}s`;
}

export function step(message: string): void {
  console.log(`${bold("▸")} ${message} ${dim(`(${elapsed()})`)}`);
}

export function detail(message: string): void {
  console.log(`  ${dim(message)}`);
}

export function fail(message: string): never {
  console.error(`✗ ${message}`);
  Deno.exit(1);
}
