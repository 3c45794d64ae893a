import assert from "node:assert/strict";
import postgres from "postgres";
import {
  nodeVersionFromUserAgent,
  PlainError,
  plainMessage,
  unsupportedNode,
} from "./plain_errors.ts";

Deno.test("plainMessage keeps a PlainError's sentence and explains nothing it does not know", () => {
  assert.equal(plainMessage(new PlainError("Port 1 is in use.")), "Port 1 is in use.");
  assert.equal(plainMessage(new Error("something odd")), null);
  assert.equal(plainMessage("text"), null);
});

Deno.test("plainMessage turns a refused connection into one sentence naming the server", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const sql = postgres(`postgresql://postgres@127.0.0.1:${port}/lab`, { max: 1 });
  const error = await sql`select 1`.then(() => null, (e) => e);
  await sql.end();
  assert.equal(
    plainMessage(error),
    `Cannot reach the database server at 127.0.0.1:${port}: start it, or set DATABASE_URL to one that runs.`,
  );
});

Deno.test("plainMessage names a missing extension and, for pgTAP, the packages that bring it", () => {
  const missing = Object.assign(new Error('extension "pgtap" is not available'), { code: "0A000" });
  assert.equal(
    plainMessage(missing),
    'The database server has no "pgtap" extension: install `postgresql-15-pgtap` (Debian/Ubuntu) ' +
      "or `brew install pgtap` (macOS) on that server.",
  );
  const control = new Error(
    'could not open extension control file "/usr/share/postgresql/15/extension/vector.control": No such file or directory',
  );
  assert.equal(
    plainMessage(control),
    'The database server has no "vector" extension: install it on that server.',
  );
});

Deno.test("plainMessage tells a missing database to run npm start or db:reset first", () => {
  const error = Object.assign(new Error('database "lab" does not exist'), { code: "3D000" });
  assert.equal(
    plainMessage(error),
    'database "lab" does not exist: run `npm start` or `npm run db:reset` first to create it.',
  );
});

Deno.test("plainMessage tells a server without the lab's role to run npm start or db:reset first", () => {
  const error = Object.assign(new Error('role "lab_postgres" does not exist'), { code: "28000" });
  assert.equal(
    plainMessage(error),
    'The server has no lab database yet (role "lab_postgres" does not exist): run `npm start` or `npm run db:reset` first.',
  );
});

Deno.test("the Node check reads npm's user agent and refuses majors below 20", () => {
  assert.equal(nodeVersionFromUserAgent("npm/11.19.1 node/v20.20.2 linux x64"), "20.20.2");
  assert.equal(nodeVersionFromUserAgent(undefined), null);
  assert.equal(unsupportedNode("20.0.0"), null);
  assert.equal(unsupportedNode(null), null);
  assert.equal(
    unsupportedNode("18.19.1"),
    "Node 18.19.1 is not supported: install Node 20 or newer and run `npm ci` again.",
  );
});
