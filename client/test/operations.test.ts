/** Health and the admin calls against the real local gateway. */
import { describe, expect, it } from "vitest";
import { LabAuthError } from "../src/index.ts";
import { createUser, labFor, noStack } from "./stack.ts";

describe.skipIf(noStack)("operations over HTTP", () => {
  it("answers liveness without a token", async () => {
    const { data, error } = await labFor(null).health();
    expect(error).toBeNull();
    expect(data).toEqual({ status: "ok" });
  });

  it("gives an admin readiness and the system figures", async () => {
    const lab = labFor(await createUser("ops-admin", { admin: true }));
    const ready = await lab.admin.readiness();
    expect(ready.error).toBeNull();
    expect(ready.data?.status).toBe("ready");
    expect(ready.data?.checks.database).toEqual({ status: "ok", migrated: true });

    const figures = await lab.admin.systemMetrics();
    expect(figures.error).toBeNull();
    expect(figures.data?.windows.map((w) => w.window)).toEqual(["hour", "day", "week"]);
    const day = await lab.admin.systemMetrics({ window: "day" });
    expect(day.data?.windows.map((w) => w.window)).toEqual(["day"]);

    const rollup = await lab.admin.rollUpTelemetry();
    expect(rollup.error).toBeNull();
    expect(rollup.data?.keepDays).toBe(7);
  });

  it("refuses a user with a 403 LabAuthError", async () => {
    const lab = labFor(await createUser("ops-user"));
    const { data, error } = await lab.admin.systemMetrics();
    expect(data).toBeNull();
    expect(error).toBeInstanceOf(LabAuthError);
    expect(error?.status).toBe(403);
    expect(error?.code).toBe("admin_required");
    expect((await lab.admin.readiness()).error?.status).toBe(403);
  });

  it("lets an admin grant and revoke the admin role, and nobody else", async () => {
    const target = await createUser("ops-target");
    const user = labFor(await createUser("ops-climber"));
    const refused = await user.admin.grantAdmin(target.id);
    expect(refused.error?.status).toBe(403);

    const admin = labFor(await createUser("ops-granter", { admin: true }));
    expect((await admin.admin.grantAdmin(target.id)).error).toBeNull();
    expect((await admin.admin.revokeAdmin(target.id)).error).toBeNull();
    const { data: events } = await admin.supabase.from("audit_logs").select("event_type")
      .eq("user_id", target.id);
    expect(events?.map((e) => e.event_type).sort()).toEqual(["role_granted", "role_revoked"]);
  });
});
