// Running external commands (Postgres tools, the Supabase CLI, pg_prove) from the orchestrator.

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Run as this OS user (Postgres refuses to run as root). */
  asUser?: string;
  /** Stream output to the terminal instead of capturing it. */
  inherit?: boolean;
}

const isRoot = Deno.uid() === 0;

export async function run(command: string[], options: RunOptions = {}): Promise<RunResult> {
  const argv = options.asUser && isRoot
    ? ["runuser", "-u", options.asUser, "--", ...command]
    : command;
  const output = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: options.env,
    cwd: options.cwd,
    stdout: options.inherit ? "inherit" : "piped",
    stderr: options.inherit ? "inherit" : "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: options.inherit ? "" : decoder.decode(output.stdout),
    stderr: options.inherit ? "" : decoder.decode(output.stderr),
  };
}

/** Runs a command and throws with its output when it fails. */
export async function runChecked(command: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, options);
  if (result.code !== 0) {
    throw new Error(
      `${command.join(" ")} exited with ${result.code}\n${result.stdout}${result.stderr}`.trim(),
    );
  }
  return result;
}
