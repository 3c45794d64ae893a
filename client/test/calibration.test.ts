/** The calibration calls against the real local gateway. */
import { describe, expect, it } from "vitest";
import { LabAuthError, LabNotFoundError, LabValidationError } from "../src/index.ts";
import { calibrate, createUser, labFor, noStack } from "./stack.ts";

describe.skipIf(noStack)("calibration over HTTP", () => {
  it("round-trips: questionnaire, submit, then read it back through PostgREST", async () => {
    const lab = labFor(await createUser("cal"));
    const quiz = await lab.calibration.questionnaire("quick");
    expect(quiz.error).toBeNull();
    expect(quiz.data?.mode).toBe("quick");
    expect(quiz.data?.questions.length).toBeGreaterThan(0);
    expect(quiz.correlationId).toMatch(/^[0-9a-f-]{36}$/);

    const answers = Object.fromEntries(
      quiz.data!.questions.map((q) => [q.id, q.options.at(-1)!.id]),
    );
    const submitted = await lab.calibration.submit({ mode: "quick", answers });
    expect(submitted.error).toBeNull();
    const ranges = submitted.data!.ranges;
    expect(ranges.temperature.min).toBeLessThanOrEqual(ranges.temperature.max);

    const stored = await lab.calibration.get(submitted.data!.id);
    expect(stored.error).toBeNull();
    expect(stored.data).toMatchObject({ id: submitted.data!.id, mode: "quick" });
    expect(Number(stored.data!.temperature_min)).toBe(ranges.temperature.min);
    const listed = await lab.calibration.list();
    expect(listed.data?.map((c) => c.id)).toEqual([submitted.data!.id]);
  });

  it("sends a caller's correlation id and finds the audit event under it", async () => {
    const lab = labFor(await createUser("cal-audit"));
    const quiz = await lab.calibration.questionnaire("quick");
    const answers = Object.fromEntries(quiz.data!.questions.map((q) => [q.id, q.options[0].id]));
    const correlationId = crypto.randomUUID();
    const submitted = await lab.calibration.submit({ mode: "quick", answers }, { correlationId });
    expect(submitted.correlationId).toBe(correlationId);
    const audit = await lab.audit.byCorrelationId(correlationId);
    expect(audit.error).toBeNull();
    expect(audit.data?.map((e) => e.event_type)).toContain("calibration_completed");
  });

  it("maps 400 (bad answers) to LabValidationError with the server's code and details", async () => {
    const lab = labFor(await createUser("cal-400"));
    const { data, error, correlationId } = await lab.calibration.submit({
      mode: "quick",
      answers: { nope: "x" },
    });
    expect(data).toBeNull();
    expect(error).toBeInstanceOf(LabValidationError);
    expect(error?.status).toBe(400);
    expect(error?.code).toBe("invalid_answers");
    expect(error?.details).toBeDefined();
    expect(error?.correlationId).toBe(correlationId);
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("maps 401 (forged token) and 403 (anon key, no user) to LabAuthError", async () => {
    const anonymous = await labFor(null).calibration.questionnaire("quick");
    expect(anonymous.error).toBeInstanceOf(LabAuthError);
    expect(anonymous.error?.status).toBe(403);

    const user = await createUser("cal-401");
    const forged = await labFor({ ...user, token: `${user.token.slice(0, -4)}AAAA` }).calibration
      .questionnaire("quick");
    expect(forged.error).toBeInstanceOf(LabAuthError);
    expect(forged.error?.status).toBe(401);
  });

  it("maps a missing calibration row to LabNotFoundError", async () => {
    const lab = labFor(await createUser("cal-404"));
    const other = labFor(await createUser("cal-404-other"));
    const theirs = await calibrate(other);
    const { error } = await lab.calibration.get(theirs.id);
    expect(error).toBeInstanceOf(LabNotFoundError);
  });
});
