import assert from "node:assert/strict";
import { missingPrerequisite } from "./test_prerequisites.ts";

const where = "127.0.0.1:5432";
const pg15 = { versionNum: 150020, hasPgtap: true };

Deno.test("missingPrerequisite is null when the server has pgTAP and pg_prove runs", () => {
  assert.equal(missingPrerequisite({ where, server: pg15, hasPgProve: true }), null);
  assert.equal(missingPrerequisite({ where, server: pg15, hasPgProve: null }), null);
});

Deno.test("missingPrerequisite says what to install on Debian/Ubuntu and macOS when no server answers", () => {
  assert.equal(
    missingPrerequisite({ where, server: null, hasPgProve: true }),
    "npm test needs PostgreSQL 15 with pgTAP at 127.0.0.1:5432 (or DATABASE_URL) and cannot reach one there: " +
      "install and start it with `sudo apt-get install postgresql-15 postgresql-15-pgtap " +
      "libtap-parser-sourcehandler-pgtap-perl` (Debian/Ubuntu) or `brew install postgresql@15 pgtap` (macOS).",
  );
});

Deno.test("missingPrerequisite names pgTAP and pg_prove together, for the server's major version", () => {
  assert.equal(
    missingPrerequisite({
      where,
      server: { versionNum: 160004, hasPgtap: false },
      hasPgProve: false,
    }),
    "npm test needs pgTAP in the PostgreSQL at 127.0.0.1:5432 and pg_prove: run " +
      "`sudo apt-get install postgresql-16-pgtap libtap-parser-sourcehandler-pgtap-perl` " +
      "(Debian/Ubuntu) or `brew install pgtap` (macOS).",
  );
  assert.equal(
    missingPrerequisite({ where, server: pg15, hasPgProve: false }),
    "npm test needs pg_prove: run `sudo apt-get install libtap-parser-sourcehandler-pgtap-perl` " +
      "(Debian/Ubuntu) or `brew install pgtap` (macOS).",
  );
});

Deno.test("missingPrerequisite refuses a server older than 15", () => {
  assert.match(
    missingPrerequisite({
      where,
      server: { versionNum: 140011, hasPgtap: true },
      hasPgProve: true,
    })!,
    /^npm test needs PostgreSQL 15 or newer and the server at 127\.0\.0\.1:5432 is 14: /,
  );
});
