import assert from "node:assert/strict";
import postgres from "postgres";
import {
  createDatabase,
  databaseTarget,
  dropDatabase,
  ensurePlatform,
  PLATFORM_LOCK,
} from "./database.ts";

const ADMIN_URL = Deno.env.get("LAB_TEST_ADMIN_DATABASE_URL");

function serverUrl(database: string): string {
  const url = new URL(ADMIN_URL!);
  url.pathname = `/${database}`;
  return url.toString();
}

Deno.test({
  name:
    "ensurePlatform waits for the server-wide platform lock, so two runs never alter roles at once",
  ignore: !ADMIN_URL,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const target = databaseTarget(
      serverUrl(`lab_platform_lock_${crypto.randomUUID().slice(0, 8)}`),
    );
    await createDatabase(target);
    const holder = postgres(serverUrl("postgres"), { max: 1, onnotice: () => {} });
    const probe = postgres(target.adminUrl, { max: 1, onnotice: () => {} });
    try {
      const [{ pid }] =
        await holder`select pg_backend_pid() as pid, pg_advisory_lock(${PLATFORM_LOCK})`;
      let finished = false;
      const applying = ensurePlatform(target).finally(() => finished = true);
      // Someone other than the holder queues for that advisory lock, and the platform is not there yet.
      for (;;) {
        const [{ waiting }] = await holder`
          select count(*)::int as waiting from pg_locks
          where locktype = 'advisory' and not granted and pid <> ${pid}
            and (classid::bigint << 32 | objid::bigint) = ${PLATFORM_LOCK}`;
        if (waiting > 0) break;
        assert.equal(finished, false, "ensurePlatform finished without waiting for the lock");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const [before] = await probe`select to_regclass('auth.users') is not null as present`;
      assert.equal(before.present, false);
      await holder`select pg_advisory_unlock(${PLATFORM_LOCK})`;
      assert.equal(await applying, "applied");
      const [after] = await probe`select to_regclass('auth.users') is not null as present`;
      assert.equal(after.present, true);
    } finally {
      await probe.end();
      await holder.end();
      await dropDatabase(target);
    }
  },
});
