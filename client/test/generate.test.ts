/** `generate` against the real local gateway and the offline model server. */
import { afterEach, describe, expect, it } from "vitest";
import {
  LabConflictError,
  LabNotFoundError,
  LabRateLimitError,
  LabUpstreamError,
  LabValidationError,
} from "../src/index.ts";
import { calibrate, createUser, labFor, noStack, resetModel, setModel } from "./stack.ts";

describe.skipIf(noStack)("generate over HTTP", () => {
  afterEach(async () => {
    await resetModel();
  });

  it("runs an experiment, scores it and updates the analytics", async () => {
    const lab = labFor(await createUser("gen"));
    const calibration = await calibrate(lab);
    const { data, error, correlationId } = await lab.generate({
      prompt: "Describe a lighthouse in two sentences.",
      calibration_id: calibration.id,
      numResponses: 3,
      seed: 7,
    });
    expect(error).toBeNull();
    expect(data?.status).toBe("completed");
    expect(data?.responses).toHaveLength(3);
    for (const response of data!.responses) {
      expect(response.status).toBe("succeeded");
      if (response.status === "succeeded") {
        expect(response.metrics.coherence).toBeGreaterThanOrEqual(0);
      }
    }
    expect(data?.analytics?.count).toBe(1);

    const stored = await lab.experiments.get(data!.experimentId);
    expect(stored.data?.correlation_id).toBe(correlationId);
    expect(stored.data?.parameters.seed).toBe(7);
  });

  it("maps 400 (empty prompt) and 404 (unknown calibration)", async () => {
    const lab = labFor(await createUser("gen-4xx"));
    const calibration = await calibrate(lab);
    const invalid = await lab.generate({ prompt: "   ", calibration_id: calibration.id });
    expect(invalid.error).toBeInstanceOf(LabValidationError);
    expect(invalid.error?.status).toBe(400);

    const missing = await lab.generate({ prompt: "Hello", calibration_id: crypto.randomUUID() });
    expect(missing.error).toBeInstanceOf(LabNotFoundError);
    expect(missing.error?.code).toBe("calibration_not_found");
  });

  it("maps 409 when an Idempotency-Key is reused with another body", async () => {
    const lab = labFor(await createUser("gen-409"));
    const calibration = await calibrate(lab);
    const idempotencyKey = crypto.randomUUID();
    const first = await lab.generate({
      prompt: "One",
      calibration_id: calibration.id,
      numResponses: 1,
    }, { idempotencyKey });
    expect(first.error).toBeNull();
    const second = await lab.generate({
      prompt: "Two",
      calibration_id: calibration.id,
      numResponses: 1,
    }, { idempotencyKey });
    expect(second.error).toBeInstanceOf(LabConflictError);
    expect(second.error?.code).toBe("idempotency_conflict");
    const again = await lab.generate({
      prompt: "One",
      calibration_id: calibration.id,
      numResponses: 1,
    }, { idempotencyKey });
    expect(again.data?.experimentId).toBe(first.data?.experimentId);
  });

  it("maps 429 with Retry-After to LabRateLimitError", async () => {
    const lab = labFor(await createUser("gen-429"));
    const calibration = await calibrate(lab);
    let limited = null;
    for (let i = 0; i < 10 && !limited; i++) {
      const { error } = await lab.generate({
        prompt: `Run ${i}`,
        calibration_id: calibration.id,
        numResponses: 1,
      });
      if (error) limited = error;
    }
    expect(limited).toBeInstanceOf(LabRateLimitError);
    expect(limited?.status).toBe(429);
    expect((limited as LabRateLimitError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it("maps 502 (every model call failed) to LabUpstreamError with the stored attempt", async () => {
    const lab = labFor(await createUser("gen-502"));
    const calibration = await calibrate(lab);
    await setModel({ mode: "server_error" });
    const { error } = await lab.generate({
      prompt: "Hello",
      calibration_id: calibration.id,
      numResponses: 2,
    });
    expect(error).toBeInstanceOf(LabUpstreamError);
    expect(error?.status).toBe(502);
    expect(error?.code).toBe("upstream_unavailable");
    const details = error?.details as { experimentId: string };
    const stored = await lab.experiments.get(details.experimentId);
    expect(stored.data?.status).toBe("failed");
  });

  it("retries a network failure with the same key, and the server replays instead of running twice", async () => {
    const user = await createUser("gen-retry");
    let failedOnce = false;
    const keys: (string | null)[] = [];
    // The first generate call reaches the server and is answered; the answer
    // is then lost, as if the connection dropped on the way back.
    const dropFirstAnswer: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const response = await fetch(request);
      if (request.url.endsWith("/functions/v1/generate") && !failedOnce) {
        keys.push(request.headers.get("idempotency-key"));
        failedOnce = true;
        await response.arrayBuffer();
        throw new TypeError("fetch failed: connection reset");
      }
      if (request.url.endsWith("/functions/v1/generate")) {
        keys.push(request.headers.get("idempotency-key"));
      }
      return response;
    };
    const lab = labFor(user, dropFirstAnswer);
    const calibration = await calibrate(lab);
    const { data, error } = await lab.generate({
      prompt: "Only once",
      calibration_id: calibration.id,
      numResponses: 2,
    });
    expect(error).toBeNull();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);

    const experiments = await lab.experiments.list({ includeDiscarded: true });
    expect(experiments.data?.map((e) => e.id)).toEqual([data!.experimentId]);
    const analytics = await lab.analytics.get(calibration.id);
    expect(analytics.data?.experiment_count).toBe(1);
  });

  it("sends a fresh key per call, so two deliberate calls are two experiments", async () => {
    const lab = labFor(await createUser("gen-fresh"));
    const calibration = await calibrate(lab);
    const a = await lab.generate({
      prompt: "Same",
      calibration_id: calibration.id,
      numResponses: 1,
    });
    const b = await lab.generate({
      prompt: "Same",
      calibration_id: calibration.id,
      numResponses: 1,
    });
    expect(a.data?.experimentId).not.toBe(b.data?.experimentId);
  });
});
