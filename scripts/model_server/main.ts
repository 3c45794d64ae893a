/**
 * Starts the offline OpenAI-compatible model server on a port. Run directly:
 * `deno run --allow-net --allow-read scripts/model_server/main.ts [--port 54330]`.
 *
 * @module
 */
import type { ModelControl } from "./control.ts";
import { createModelServer, type ModelServerOptions } from "./server.ts";

/** The port used when run as a program without `--port`. */
export const DEFAULT_PORT = 54330;

/** Where to listen, plus the options of `createModelServer`. */
export interface StartOptions extends ModelServerOptions {
  /** 0 picks a free port. */
  port: number;
  hostname?: string;
}

/** A listening model server. */
export interface RunningModelServer {
  /** The OpenAI base URL, e.g. `http://127.0.0.1:54330/v1`. */
  url: string;
  port: number;
  control: ModelControl;
  /** Releases hanging requests and stops listening once in-flight requests are answered; safe to call twice. */
  shutdown(): Promise<void>;
}

/**
 * Listens on `hostname:port` and resolves once the server accepts connections.
 *
 * @example
 * ```ts
 * const server = await startModelServer({ port: 0 });
 * const openai = new OpenAI({ apiKey: "sk-offline", baseURL: server.url });
 * await server.shutdown();
 * ```
 */
export function startModelServer(options: StartOptions): Promise<RunningModelServer> {
  const { port, hostname = "127.0.0.1", ...serverOptions } = options;
  const { handler, control } = createModelServer(serverOptions);
  let stopping: Promise<void> | undefined;
  return new Promise((resolve) => {
    const server = Deno.serve({
      port,
      hostname,
      onListen(address) {
        resolve({
          url: `http://${hostname}:${address.port}/v1`,
          port: address.port,
          control,
          shutdown() {
            stopping ??= (control.reset(), server.shutdown());
            return stopping;
          },
        });
      },
    }, handler);
  });
}

/** Reads `--port N` or `--port=N` from command-line arguments. */
export function parsePort(args: readonly string[]): number {
  const index = args.findIndex((arg) => arg === "--port" || arg.startsWith("--port="));
  if (index === -1) return DEFAULT_PORT;
  const raw = args[index].includes("=") ? args[index].split("=")[1] : args[index + 1];
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Invalid --port: ${raw}`);
  }
  return port;
}

if (import.meta.main) {
  const server = await startModelServer({ port: parsePort(Deno.args) });
  console.log(`model server listening on ${server.url}`);
}
