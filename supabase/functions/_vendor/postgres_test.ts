/**
 * The lab's patched postgres.js against the published 3.4.9 (see
 * `_vendor/postgres/lab.patch`): each scenario of `connection_loss_child.ts`
 * runs in a process of its own, because the published driver kills the
 * process, and the vendored copy must be exactly the published files plus the patch.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { adminDatabaseUrl, dbTest } from "../tests/harness.ts";

const DENO = Deno.execPath();
const CHILD = new URL("./connection_loss_child.ts", import.meta.url).pathname;
/** The repository's own config and lock file, not the functions' folder's (no stray deno.lock). */
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;
const VENDORED = new URL("./postgres/", import.meta.url).pathname;
const CRASH = "Cannot read properties of null (reading 'write')";

/** Runs one scenario with one driver; its exit code, its JSON line (if any) and stderr. */
async function scenario(driver: "upstream" | "lab", name: string) {
  const output = await new Deno.Command(DENO, {
    args: ["run", "-A", "--config", CONFIG, CHILD, driver, name, adminDatabaseUrl],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).trim();
  return {
    code: output.code,
    result: stdout === "" ? null : JSON.parse(stdout.split("\n").at(-1)!),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

/** What every scenario must end in with the lab's driver: no crash, nothing written, a fresh session next. */
const SURVIVED = {
  transaction: "CONNECTION_CLOSED",
  afterLoss: "CONNECTION_CLOSED",
  next: "1",
  written: 0,
};

/** Error codes of a statement whose connection was lost. */
const LOST = new Set(["CONNECTION_CLOSED", "ECONNRESET", "EPIPE"]);

for (const name of ["idle", "in-flight", "reconnected"]) {
  Deno.test(
    `a backend terminated inside a transaction (${name}): the process survives, the transaction's later statements fail, the next query gets a new session`,
    dbTest,
    async () => {
      const run = await scenario("lab", name);
      equal(run.code, 0, run.stderr);
      // A statement in flight when the socket dies fails with the socket's own
      // error or with the driver's close, whichever the kernel reports first;
      // both are a lost connection (the functions answer 503), as required.
      const afterLoss = LOST.has(run.result?.afterLoss)
        ? "CONNECTION_CLOSED"
        : run.result?.afterLoss;
      deepEqual({ ...run.result, afterLoss }, SURVIVED);
    },
  );
}

Deno.test(
  "a pooled query's terminated backend leaves no error behind for the next query",
  dbTest,
  async () => {
    const run = await scenario("lab", "pool");
    equal(run.code, 0, run.stderr);
    deepEqual(run.result, { ...SURVIVED, afterLoss: "succeeded" });
  },
);

Deno.test(
  "a rollback sent between a socket's error and its close fails with the dead session; the next transaction works",
  dbTest,
  async () => {
    const run = await scenario("lab", "error-then-close");
    equal(run.code, 0, run.stderr);
    deepEqual(run.result, { ...SURVIVED, afterLoss: "succeeded" });
  },
);

Deno.test(
  "a COMMIT the server answered just before the session was lost is reported committed, not failed",
  dbTest,
  async () => {
    const run = await scenario("lab", "committed");
    equal(run.code, 0, run.stderr);
    deepEqual(run.result, {
      transaction: "committed",
      afterLoss: "succeeded",
      next: "1",
      written: 1,
    });
  },
);

Deno.test(
  "the published postgres.js 3.4.9 still has the three bugs the patch fixes",
  dbTest,
  async () => {
    // If this starts failing, upstream changed: check for a release and drop the vendored copy.
    const idle = await scenario("upstream", "idle");
    equal(idle.code, 1);
    match(idle.stderr, new RegExp(CRASH.replace(/[()']/g, "\\$&")));
    const reconnected = await scenario("upstream", "reconnected");
    equal(reconnected.result?.written, 1, "the statement ran outside the dead transaction");
    const pool = await scenario("upstream", "pool");
    equal(pool.result?.next, "57P01", "the next query got the dead session's error");
  },
);

Deno.test("the vendored postgres.js is the published 3.4.9 plus lab.patch, nothing else", async () => {
  const info = await new Deno.Command(DENO, {
    args: ["info", "--json", "postgres-published"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const published: string = JSON.parse(new TextDecoder().decode(info.stdout))
    .npmPackages["postgres@3.4.9"].localPath;
  const work = await Deno.makeTempDir({ prefix: "lab-postgres-patch-" });
  try {
    const files = await vendoredFiles(VENDORED);
    for (const file of files.filter((f) => f !== "lab.patch")) {
      await Deno.mkdir(`${work}/${file.split("/").slice(0, -1).join("/")}`, { recursive: true });
      await Deno.copyFile(`${published}/${file}`, `${work}/${file}`);
    }
    const apply = await new Deno.Command("git", {
      args: ["apply", `${VENDORED}lab.patch`],
      cwd: work,
      stderr: "piped",
    }).output();
    equal(apply.code, 0, new TextDecoder().decode(apply.stderr));
    for (const file of files.filter((f) => f !== "lab.patch")) {
      equal(
        await Deno.readTextFile(`${VENDORED}${file}`),
        await Deno.readTextFile(`${work}/${file}`),
        `${file} differs from the published file plus lab.patch`,
      );
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

/** Every file under `root`, relative to it. */
async function vendoredFiles(root: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${root}${prefix}`)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) files.push(...await vendoredFiles(root, `${path}/`));
    else files.push(path);
  }
  return files.sort();
}
