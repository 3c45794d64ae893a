/** LOCAL STACK: checking a port before a script listens on it, to fail with the variable that moves it. */
import { PlainError } from "./plain_errors.ts";

/**
 * Fails plainly when something already listens on 127.0.0.1:`port`.
 *
 * @example
 * await assertPortFree(54321, "set LAB_GATEWAY_PORT to use another");
 */
export function assertPortFree(port: number, remedy: string): void {
  if (port === 0) return;
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    throw new PlainError(`Port ${port} is in use by another program: ${remedy}.`);
  }
}

/** A port from the environment, or the default; a value that is not a port fails plainly. */
export function portFromEnv(variable: string, fallback: number): number {
  const raw = Deno.env.get(variable);
  const port = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PlainError(`Invalid ${variable}: "${raw}" is not a port number.`);
  }
  return port;
}
