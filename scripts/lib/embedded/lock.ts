/**
 * LOCAL STACK: who holds an embedded data folder — the postgres named by its
 * postmaster.pid, whether a lab command still owns it, and stale locks.
 */
import { runUnchecked } from "../process.ts";

/** The server named by a data folder's postmaster.pid, if that process still runs. */
export interface RunningServer {
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
export async function runningServer(dataDir: string): Promise<RunningServer | null> {
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

export async function waitGone(pid: number, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 10; i++) {
    if (!await processInfo(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
