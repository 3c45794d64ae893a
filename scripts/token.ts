/**
 * `npm run token -- someone@example.com` — LOCAL STACK stand-in for signing in:
 * creates the user in auth.users of the lab database (DATABASE_URL, or the
 * embedded one `npm start` uses) if needed and prints an access token for it,
 * issued through the Custom Access Token hook as Supabase Auth does, valid
 * for an hour (`--hours N` to change). `--admin` first grants the admin
 * role, as the service role would.
 */
import { openLabServer } from "./lib/database.ts";
import { ensureLocalUser, grantLocalRole, issueAccessToken } from "./lib/local_auth.ts";
import { installPlainErrors } from "./lib/plain_errors.ts";

installPlainErrors();
const email = Deno.args.find((a) => !a.startsWith("--") && a.includes("@"));
if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) {
  console.error("Usage: npm run token -- someone@example.com [--hours N] [--admin]");
  Deno.exit(2);
}
const hoursIndex = Deno.args.indexOf("--hours");
const hours = hoursIndex >= 0 ? Number(Deno.args[hoursIndex + 1]) : 1;
if (!(hours > 0)) {
  console.error("Invalid --hours: expected a positive number");
  Deno.exit(2);
}

const server = await openLabServer();
try {
  const appUrl = server.target.appUrl;
  const userId = await ensureLocalUser(appUrl, email);
  if (Deno.args.includes("--admin")) await grantLocalRole(appUrl, userId, "admin");
  console.log(
    await issueAccessToken(appUrl, userId, { email, expiresIn: Math.round(hours * 3600) }),
  );
} finally {
  await server.close();
}
