import { describe, expect, it } from "vitest";
import {
  isLabError,
  LabAuthError,
  LabConflictError,
  LabError,
  LabNetworkError,
  LabNotFoundError,
  LabRateLimitError,
  LabUpstreamError,
  LabValidationError,
} from "../src/index.ts";
import { labErrorFor } from "../src/errors.ts";
import { retryAfter } from "../src/functions.ts";

describe("LabError hierarchy", () => {
  it("picks the subclass from the status and keeps code, status, correlation id and details", () => {
    const cases: [number, typeof LabError][] = [
      [400, LabValidationError],
      [401, LabAuthError],
      [403, LabAuthError],
      [404, LabNotFoundError],
      [409, LabConflictError],
      [429, LabRateLimitError],
      [502, LabUpstreamError],
      [504, LabUpstreamError],
    ];
    for (const [status, type] of cases) {
      const error = labErrorFor("Boom", { status, code: "x", correlationId: "c-1", details: [1] });
      expect(error).toBeInstanceOf(type);
      expect(error).toBeInstanceOf(LabError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(type.name);
      expect([error.status, error.code, error.correlationId, error.details]).toEqual([
        status,
        "x",
        "c-1",
        [1],
      ]);
    }
    const plain = labErrorFor("Down", { status: 503, code: "database_unavailable" });
    expect(plain.constructor).toBe(LabError);
  });

  it("serialises to JSON without the cause, with retryAfterSeconds on rate limits", () => {
    const error = labErrorFor("Slow down", {
      status: 429,
      code: "rate_limited",
      retryAfterSeconds: 12,
      cause: new Error("x"),
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "LabRateLimitError",
      code: "rate_limited",
      status: 429,
      message: "Slow down",
      correlationId: null,
      retryAfterSeconds: 12,
    });
  });

  it("isLabError accepts every subclass and nothing else", () => {
    expect(isLabError(new LabNetworkError("offline"))).toBe(true);
    expect(isLabError(new LabNotFoundError("gone", { code: "not_found", status: 404 }))).toBe(true);
    expect(isLabError(new Error("plain"))).toBe(false);
    expect(isLabError({ code: "not_found", status: 404 })).toBe(false);
    expect(new LabNetworkError("offline").status).toBe(0);
    expect(new LabNetworkError("offline").code).toBe("network_error");
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-11-22T10:00:00Z");
    expect(retryAfter("30", now)).toBe(30);
    expect(retryAfter("Sun, 22 Nov 2026 10:00:05 GMT", now)).toBe(5);
    expect(retryAfter(null, now)).toBeNull();
    expect(retryAfter("soon", now)).toBeNull();
  });
});
