/**
 * `npm run token -- someone@example.com` — LOCAL STACK stand-in for signing in:
 * creates the user in auth.users of the lab database (DATABASE_URL, or the
 * embedded one `npm start` uses) if needed and prints an access token for it,
 * valid for an hour (`--hours N` to change).
 */
import { openLabServer } from "./lib/database.ts";
import { ensureLocalUser, mintAccessToken } from "./lib/local_auth.ts";
import { installPlainErrors } from "./lib/plain_errors.ts";

installPlainErrors();
const email = Deno.args.find((a) => !a.startsWith("--"));
if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) {
  console.error("Usage: npm run token -- someone@example.com [--hours N]");
  Deno.exit(2);
}
const hoursIndex = Deno.args.indexOf("--hours");
const hours = hoursIndex >= 0 ? Number(Deno.args[hoursIndex + 1]) : 1;
if (!(hours > 0)) {
  console.error("Invalid --hours: expected a positive number");
  Deno.exit(2);
}

const server = await openLabServer();
const userId = await ensureLocalUser(server.target.appUrl, email);
await server.close();
console.log(await mintAccessToken(userId, { email, expiresIn: Math.round(hours * 3600) }));
