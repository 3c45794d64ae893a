/**
 * LOCAL STACK: how every script fails — one sentence on stderr and exit code 1,
 * never a stack trace for something the user can fix (a port in use, a server
 * that does not answer, a missing extension, an unsupported Node).
 */

/** An error whose message is already the sentence to show the user. */
export class PlainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlainError";
  }
}

/** The oldest Node major the project supports (package.json `engines`). */
export const MIN_NODE_MAJOR = 20;

/** What to install for an extension the lab or its tests need. */
const EXTENSION_HINTS: Record<string, string> = {
  pgtap:
    "install `postgresql-15-pgtap` (Debian/Ubuntu) or `brew install pgtap` (macOS) on that server",
};

/** The fields of a postgres.js or socket error the sentences use. */
interface DriverError {
  code?: string;
  errno?: string;
  address?: string;
  port?: number;
  message?: string;
}

/**
 * The sentence for an error: a PlainError's own message, or one made from a
 * database or network error; null when the error is not one we can explain.
 *
 * @example
 * plainMessage(new PlainError("Port 54321 is in use")); // "Port 54321 is in use"
 */
export function plainMessage(error: unknown): string | null {
  if (error instanceof PlainError) return error.message;
  if (!error || typeof error !== "object") return null;
  const e = error as DriverError;
  const where = e.address ? ` at ${e.address}${e.port ? `:${e.port}` : ""}` : "";
  const message = e.message ?? "";
  if (e.code === "ECONNREFUSED" || e.code === "ENOTFOUND" || e.code === "CONNECT_TIMEOUT") {
    return `Cannot reach the database server${where}: start it, or set DATABASE_URL to one that runs.`;
  }
  if (e.code === "3D000") {
    return `${message}: run \`npm start\` or \`npm run db:reset\` first to create it.`;
  }
  if (e.code === "28000" && message.includes('role "lab_postgres" does not exist')) {
    return `The server has no lab database yet (${message}): run \`npm start\` or \`npm run db:reset\` first.`;
  }
  if (e.code === "28P01" || e.code === "28000") {
    return `The database server refused the login (${message}): check the user in DATABASE_URL.`;
  }
  const extension =
    /extension "([^"]+)" is not available|extension control file ".*\/([^/]+)\.control"/
      .exec(message);
  if (extension) {
    const name = extension[1] ?? extension[2];
    const hint = EXTENSION_HINTS[name] ?? "install it on that server";
    return `The database server has no "${name}" extension: ${hint}.`;
  }
  if (error instanceof Deno.errors.AddrInUse) {
    return `A port is already in use (${message}): set LAB_GATEWAY_PORT, LAB_MODEL_PORT or LAB_DB_PORT to move it.`;
  }
  return null;
}

/**
 * The Node that runs npm, read from npm's user agent (`npm/11 node/v20.1.0 …`);
 * null when the script was not started by npm.
 */
export function nodeVersionFromUserAgent(userAgent: string | undefined): string | null {
  return /\bnode\/v?(\d+\.\d+\.\d+)/.exec(userAgent ?? "")?.[1] ?? null;
}

/** The sentence for an unsupported Node, or null when this one is fine. */
export function unsupportedNode(version: string | null): string | null {
  if (!version) return null;
  const major = Number(version.split(".")[0]);
  return major >= MIN_NODE_MAJOR
    ? null
    : `Node ${version} is not supported: install Node ${MIN_NODE_MAJOR} or newer and run \`npm ci\` again.`;
}

/** What must still happen when a script fails, e.g. stopping the database it started. */
const cleanups: (() => Promise<void>)[] = [];

/** Runs `cleanup` before a failing script exits (it should not throw). */
export function onFailure(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

async function fail(error: unknown): Promise<never> {
  const sentence = plainMessage(error);
  if (sentence) {
    console.error(sentence);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`Unexpected error: ${message}`);
    if (Deno.env.get("LAB_DEBUG") && error instanceof Error) console.error(error.stack);
  }
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  Deno.exit(1);
}

/**
 * Makes the calling script fail plainly: checks the Node that npm runs on, then
 * turns any uncaught error into one sentence and exit code 1 (LAB_DEBUG=1 adds
 * the stack of an unexpected one). Call it first in a script's body.
 *
 * @example
 * installPlainErrors();
 * await migrate(target); // a refused connection prints one sentence and exits 1
 */
export function installPlainErrors(): void {
  const node = unsupportedNode(nodeVersionFromUserAgent(Deno.env.get("npm_config_user_agent")));
  if (node) fail(new PlainError(node));
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    fail(event.reason);
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    fail(event.error);
  });
}
