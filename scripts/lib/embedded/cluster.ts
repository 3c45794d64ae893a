/** LOCAL STACK: the embedded server's data folder, made once by initdb. */
import { giveToServer, type ServerUser } from "./user.ts";
import { exists } from "../path.ts";
import { PlainError } from "../plain_errors.ts";
import { runUnchecked } from "../process.ts";

/** Creates the cluster once, in a side folder renamed at the end so a Ctrl-C leaves nothing half made. */
export async function ensureCluster(bin: string, user: ServerUser, dataDir: string): Promise<void> {
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
