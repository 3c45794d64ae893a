/**
 * LOCAL STACK: who runs the embedded PostgreSQL. PostgreSQL refuses to run as
 * root, so under root (CI, containers) the server runs as the unprivileged
 * system user `postgres`, created when missing, through util-linux `setpriv`.
 */
import { PlainError } from "../plain_errors.ts";
import { runUnchecked } from "../process.ts";

/** The system user the server runs as when the scripts run as root. */
export const SERVER_USER = "postgres";

/** How to run the server's programs: as this process, or as SERVER_USER. */
export interface ServerUser {
  /** Prepended to each command (empty when not root). */
  prefix: string[];
  /** Owner to give the data folder, when it must differ from this process. */
  owner: { uid: number; gid: number } | null;
}

async function idOf(flag: "-u" | "-g"): Promise<number | null> {
  const result = await runUnchecked(["id", flag, SERVER_USER], { quiet: true }).catch(() => null);
  return result?.code === 0 ? Number(result.stdout.trim()) : null;
}

async function createSystemUser(): Promise<void> {
  const result = await runUnchecked([
    "useradd",
    "--system",
    "--user-group",
    "--no-create-home",
    "--home-dir",
    "/nonexistent",
    "--shell",
    "/usr/sbin/nologin",
    SERVER_USER,
  ], { quiet: true }).catch(() => null);
  if (result?.code !== 0) {
    throw new PlainError(
      `PostgreSQL cannot run as root and the system user "${SERVER_USER}" could not be created: ` +
        `create it (useradd --system ${SERVER_USER}) or run as a normal user.`,
    );
  }
}

/**
 * This process when it is not root; otherwise SERVER_USER (created if needed).
 *
 * @example
 * const user = await serverUser();
 * new Deno.Command(user.prefix[0] ?? postgres, { args: [...user.prefix.slice(1), ...] });
 */
export async function serverUser(): Promise<ServerUser> {
  if (Deno.uid() !== 0) return { prefix: [], owner: null };
  if (Deno.build.os !== "linux") {
    throw new PlainError("PostgreSQL cannot run as root: run the lab as a normal user.");
  }
  if (await idOf("-u") === null) await createSystemUser();
  const uid = await idOf("-u");
  const gid = await idOf("-g");
  if (uid === null || gid === null) {
    throw new PlainError(`Cannot find the system user "${SERVER_USER}" that runs PostgreSQL.`);
  }
  return {
    prefix: ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--init-groups", "--"],
    owner: { uid, gid },
  };
}

/** Gives a folder the server will write to to the server's user (a no-op when not root). */
export async function giveToServer(user: ServerUser, path: string): Promise<void> {
  if (user.owner) await Deno.chown(path, user.owner.uid, user.owner.gid);
}

/** Whether the server's user can run the binary (not when the project sits in a private folder such as /root). */
export async function serverCanRun(user: ServerUser, postgres: string): Promise<boolean> {
  if (!user.owner) return true;
  const result = await runUnchecked([...user.prefix, postgres, "--version"], {
    quiet: true,
    cwd: "/",
  }).catch(() => null);
  return result?.code === 0;
}
