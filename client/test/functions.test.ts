/**
 * The function transport against fake fetches: what it sends and how it
 * reads every kind of answer. No server needed.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { LabAuthError, LabError, LabNetworkError, LabValidationError } from "../src/index.ts";
import { type FunctionsTransport, invokeFunction } from "../src/functions.ts";

const schema = z.object({ value: z.number() });

function transport(
  fetchImpl: typeof fetch,
  token: string | null = "user-token",
): FunctionsTransport {
  return {
    url: "http://lab.test",
    anonKey: "anon",
    fetch: fetchImpl,
    accessToken: async () => token,
  };
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

describe("invokeFunction", () => {
  it("sends the token, apikey, correlation id and body, and returns validated data", async () => {
    const seen: Request[] = [];
    const fake: typeof fetch = async (input, init) => {
      seen.push(new Request(input, init));
      return json({ success: true, data: { value: 1, extra: "dropped" }, correlationId: "c-9" });
    };
    const result = await invokeFunction(transport(fake), "demo", {
      method: "POST",
      path: "/x",
      query: { mode: "quick" },
      body: { a: 1 },
      schema,
      correlationId: "c-9",
    });
    expect(result).toEqual({ data: { value: 1 }, error: null, correlationId: "c-9" });
    const request = seen[0];
    expect(request.url).toBe("http://lab.test/functions/v1/demo/x?mode=quick");
    expect(request.headers.get("authorization")).toBe("Bearer user-token");
    expect(request.headers.get("apikey")).toBe("anon");
    expect(request.headers.get("x-correlation-id")).toBe("c-9");
    expect(await request.json()).toEqual({ a: 1 });
  });

  it("calls with the anon key when there is no token", async () => {
    let authorization: string | null = null;
    const fake: typeof fetch = async (input, init) => {
      authorization = new Request(input, init).headers.get("authorization");
      return json({ success: true, data: { value: 2 }, correlationId: "c" });
    };
    await invokeFunction(transport(fake, null), "demo", { method: "GET", schema });
    expect(authorization).toBe("Bearer anon");
  });

  it("maps the failure envelope to the right LabError with the server's code and details", async () => {
    const fake: typeof fetch = async () =>
      json({
        success: false,
        error: { code: "validation_failed", message: "Bad", details: [{ path: "prompt" }] },
        correlationId: "c-1",
      }, 400);
    const { data, error, correlationId } = await invokeFunction(transport(fake), "demo", {
      method: "POST",
      body: {},
      schema,
    });
    expect(data).toBeNull();
    expect(error).toBeInstanceOf(LabValidationError);
    expect(error).toMatchObject({
      code: "validation_failed",
      status: 400,
      correlationId: "c-1",
      details: [{ path: "prompt" }],
    });
    expect(correlationId).toBe("c-1");
  });

  it("maps the gateway's own 401 body and takes the correlation id from the header", async () => {
    const fake: typeof fetch = async () =>
      json({ msg: "Invalid JWT" }, 401, { "x-correlation-id": "h-1" });
    const { error } = await invokeFunction(transport(fake), "demo", { method: "GET", schema });
    expect(error).toBeInstanceOf(LabAuthError);
    expect(error).toMatchObject({
      code: "unauthorized",
      message: "Invalid JWT",
      correlationId: "h-1",
    });
  });

  it("reports data that does not match the contract as invalid_response", async () => {
    const fake: typeof fetch = async () =>
      json({ success: true, data: { value: "nope" }, correlationId: "c" });
    const { error } = await invokeFunction(transport(fake), "demo", { method: "GET", schema });
    expect(error).toBeInstanceOf(LabError);
    expect(error?.code).toBe("invalid_response");
  });

  it("reports a non-JSON answer with its status", async () => {
    const fake: typeof fetch = async () =>
      new Response("<html>bad gateway</html>", { status: 503 });
    const { error } = await invokeFunction(transport(fake), "demo", { method: "GET", schema });
    expect(error).toMatchObject({ status: 503, code: "internal_error" });
  });

  it("retries a network failure once with identical headers when asked, and not otherwise", async () => {
    const keys: (string | null)[] = [];
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      keys.push(new Request(input, init).headers.get("idempotency-key"));
      calls += 1;
      if (calls === 1) throw new TypeError("fetch failed");
      return json({ success: true, data: { value: 3 }, correlationId: "c" });
    };
    const retried = await invokeFunction(transport(flaky), "demo", {
      method: "POST",
      body: {},
      headers: { "idempotency-key": "k-1" },
      schema,
      retryOnNetworkError: true,
    });
    expect(retried.data).toEqual({ value: 3 });
    expect(keys).toEqual(["k-1", "k-1"]);

    let attempts = 0;
    const down: typeof fetch = async () => {
      attempts += 1;
      throw new TypeError("fetch failed");
    };
    const once = await invokeFunction(transport(down), "demo", { method: "GET", schema });
    expect(once.error).toBeInstanceOf(LabNetworkError);
    expect(once.error?.message).toBe("Cannot reach the lab: fetch failed");
    expect(attempts).toBe(1);
  });
});
