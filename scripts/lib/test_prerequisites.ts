/**
 * LOCAL STACK: what `npm test` needs besides Node, checked in its first
 * seconds: a reachable PostgreSQL 15+ (the machine's, or DATABASE_URL's) that
 * has pgTAP, and `pg_prove`. The embedded server has neither, so the tests do
 * not run on it.
 */
import postgres from "postgres";
import { runUnchecked } from "./process.ts";

/** What the server answered, or null when it did not answer. */
export interface ServerFacts {
  versionNum: number;
  hasPgtap: boolean;
}

/** Everything the check looks at, so the sentence can be tested without a machine. */
export interface Findings {
  /** host:port of the test server. */
  where: string;
  server: ServerFacts | null;
  /** Whether pg_prove runs; null when the selected suites do not need it. */
  hasPgProve: boolean | null;
}

const MAC = "`brew install postgresql@15 pgtap` (macOS)";

/**
 * The one sentence saying what to install, or null when nothing is missing.
 *
 * @example
 * missingPrerequisite({ where: "127.0.0.1:5432", server: null, hasPgProve: true });
 * // "npm test needs PostgreSQL 15 with pgTAP at 127.0.0.1:5432 ..."
 */
export function missingPrerequisite(findings: Findings): string | null {
  const { where, server } = findings;
  if (!server) {
    return `npm test needs PostgreSQL 15 with pgTAP at ${where} (or DATABASE_URL) and cannot reach one there: ` +
      "install and start it with `sudo apt-get install postgresql-15 postgresql-15-pgtap " +
      `libtap-parser-sourcehandler-pgtap-perl\` (Debian/Ubuntu) or ${MAC}.`;
  }
  const major = Math.floor(server.versionNum / 10000);
  if (major < 15) {
    return `npm test needs PostgreSQL 15 or newer and the server at ${where} is ${major}: ` +
      `install \`postgresql-15\` (Debian/Ubuntu) or ${MAC} and set DATABASE_URL to it.`;
  }
  const debian = [
    ...(server.hasPgtap ? [] : [`postgresql-${major}-pgtap`]),
    ...(findings.hasPgProve === false ? ["libtap-parser-sourcehandler-pgtap-perl"] : []),
  ];
  if (debian.length === 0) return null;
  const what = [
    ...(server.hasPgtap ? [] : [`pgTAP in the PostgreSQL at ${where}`]),
    ...(findings.hasPgProve === false ? ["pg_prove"] : []),
  ].join(" and ");
  return `npm test needs ${what}: run \`sudo apt-get install ${debian.join(" ")}\` ` +
    "(Debian/Ubuntu) or `brew install pgtap` (macOS).";
}

async function askServer(url: string): Promise<ServerFacts | null> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    const [row] = await sql<{ version_num: number; has_pgtap: boolean }[]>`
      select current_setting('server_version_num')::int as version_num,
             exists (select from pg_available_extensions where name = 'pgtap') as has_pgtap`;
    return { versionNum: row.version_num, hasPgtap: row.has_pgtap };
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

async function pgProveRuns(): Promise<boolean> {
  const result = await runUnchecked(["pg_prove", "--version"], { quiet: true }).catch(() => null);
  return result?.code === 0;
}

/**
 * Checks the test server at `url` (and pg_prove when the pgTAP suite runs).
 *
 * @example
 * const missing = await checkTestPrerequisites(TEST_SERVER_URL, { pgProve: true });
 * if (missing) throw new PlainError(missing);
 */
export async function checkTestPrerequisites(
  url: string,
  options: { pgProve: boolean },
): Promise<string | null> {
  const { hostname, port } = new URL(url);
  const [server, hasPgProve] = await Promise.all([
    askServer(url),
    options.pgProve ? pgProveRuns() : Promise.resolve(null),
  ]);
  return missingPrerequisite({ where: `${hostname}:${port || 5432}`, server, hasPgProve });
}
