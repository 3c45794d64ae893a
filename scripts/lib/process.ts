/** LOCAL STACK: running child processes from the scripts. */
import { fromFileUrl } from "./path.ts";

/** Absolute path of the repository root. */
export const repoRoot = fromFileUrl(new URL("../..", import.meta.url)).replace(/\/$/, "");

/** Options for {@link run}. */
export interface RunOptions {
  /** Working directory; defaults to the repository root. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Capture output instead of inheriting it; it is printed only if the command fails. */
  quiet?: boolean;
}

/** Result of {@link run}. */
export interface RunResult {
  code: number;
  /** The signal that ended the command, if one did. */
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion. Throws when it exits non-zero, with its output.
 *
 * @example
 * await run(["npx", "supabase", "--version"], { quiet: true });
 */
export async function run(cmd: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await runUnchecked(cmd, options);
  if (result.code !== 0) {
    throw new Error(
      `Command failed (${result.code}): ${
        cmd.slice(0, 4).join(" ")
      }\n${result.stdout}${result.stderr}`,
    );
  }
  return result;
}

/** Runs a command to completion and returns its exit code and output, whatever they are. */
export async function runUnchecked(cmd: string[], options: RunOptions = {}): Promise<RunResult> {
  const [program, ...args] = cmd;
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd ?? repoRoot,
    env: options.env,
    stdout: options.quiet ? "piped" : "inherit",
    stderr: options.quiet ? "piped" : "inherit",
    stdin: "null",
  });
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    signal: output.signal,
    stdout: options.quiet ? decoder.decode(output.stdout) : "",
    stderr: options.quiet ? decoder.decode(output.stderr) : "",
  };
}
