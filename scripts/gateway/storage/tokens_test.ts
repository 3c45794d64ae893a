import assert from "node:assert/strict";
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import {
  signDownloadToken,
  signUploadToken,
  verifyBearer,
  verifyDownloadToken,
  verifyUploadToken,
} from "./tokens.ts";

const SECRET = "test-secret-with-at-least-32-characters-long";
const key = new TextEncoder().encode(SECRET);

function token(claims: Record<string, unknown>, exp: number, secret = key): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuedAt(exp - 60)
    .setExpirationTime(exp).sign(secret);
}

const later = () => Math.floor(Date.now() / 1000) + 600;
const earlier = () => Math.floor(Date.now() / 1000) - 600;

Deno.test("signDownloadToken: carries url, scope download, iat and exp = iat + expiresIn", async () => {
  const claims = decodeJwt(await signDownloadToken("exports/u/a.csv", 90, SECRET));
  assert.equal(claims.url, "exports/u/a.csv");
  assert.equal(claims.scope, "download");
  assert.equal(claims.exp! - claims.iat!, 90);
  assert.deepEqual(
    await verifyDownloadToken(await signDownloadToken("b/x", 5, SECRET), "b/x", SECRET).then((c) =>
      c.url
    ),
    "b/x",
  );
});

Deno.test("verifyDownloadToken: expired, forged, malformed and misdirected tokens fail with real Storage's messages (D07, D08, D12)", async () => {
  await assert.rejects(
    verifyDownloadToken(await token({ url: "b/x", scope: "download" }, earlier()), "b/x", SECRET),
    {
      code: "InvalidJWT",
      message: '"exp" claim timestamp check failed',
    },
  );
  const forged = await token(
    { url: "b/x" },
    later(),
    new TextEncoder().encode("another-secret-with-32-characters-or-more"),
  );
  await assert.rejects(verifyDownloadToken(forged, "b/x", SECRET), {
    code: "InvalidJWT",
    message: "signature verification failed",
  });
  await assert.rejects(verifyDownloadToken("abc", "b/x", SECRET), {
    code: "InvalidJWT",
    message: "Invalid Compact JWS",
  });
  await assert.rejects(verifyDownloadToken("", "b/x", SECRET), {
    code: "InvalidJWT",
    message: "Invalid Compact JWS",
  });
  await assert.rejects(
    verifyDownloadToken(await token({ url: "b/y", scope: "download" }, later()), "b/x", SECRET),
    {
      code: "InvalidSignature",
      httpStatusCode: 400,
    },
  );
});

Deno.test("verifyDownloadToken: an upload token is not a download token; an old token without scope is", async () => {
  await assert.rejects(
    verifyDownloadToken(await token({ url: "b/x", scope: "upload" }, later()), "b/x", SECRET),
    {
      code: "InvalidJWT",
    },
  );
  await assert.rejects(
    verifyDownloadToken(
      await token({ url: "b/x", upsert: false, owner: "u" }, later()),
      "b/x",
      SECRET,
    ),
    {
      code: "InvalidJWT",
    },
  );
  const legacy = await verifyDownloadToken(await token({ url: "b/x" }, later()), "b/x", SECRET);
  assert.equal(legacy.url, "b/x");
});

Deno.test("verifyBearer: a bad caller token is AccessDenied (body 403, HTTP 400) with real Storage's message (U13-U15)", async () => {
  const claims = await verifyBearer(
    await token({ role: "authenticated", sub: "u" }, later()),
    SECRET,
  );
  assert.equal(claims.sub, "u");
  await assert.rejects(verifyBearer(await token({ role: "authenticated" }, earlier()), SECRET), {
    code: "AccessDenied",
    httpStatusCode: 403,
    status: 400,
    error: "Unauthorized",
    message: '"exp" claim timestamp check failed',
  });
  const none = await new SignJWT({ role: "service_role" }).setProtectedHeader({ alg: "HS512" })
    .sign(key);
  await assert.rejects(verifyBearer(none, SECRET), {
    code: "AccessDenied",
    message: '"alg" (Algorithm) Header Parameter value not allowed',
  });
});

Deno.test("verifyBearer: a token without exp or for another audience is refused, as the functions refuse it (issue 19)", async () => {
  const noExp = await new SignJWT({ role: "authenticated", sub: "u" })
    .setProtectedHeader({ alg: "HS256" }).sign(key);
  await assert.rejects(verifyBearer(noExp, SECRET), {
    code: "AccessDenied",
    message: 'missing required "exp" claim',
  });
  await assert.rejects(
    verifyBearer(await token({ role: "authenticated", aud: "someone-else" }, later()), SECRET),
    { code: "AccessDenied", message: 'unexpected "aud" claim value' },
  );
  const ok = await verifyBearer(
    await token({ role: "authenticated", aud: "authenticated" }, later()),
    SECRET,
  );
  assert.equal(ok.aud, "authenticated");
});

Deno.test("signUploadToken: an upload token is for one path, and no download token", async () => {
  const upload = await signUploadToken({ url: "b/x", owner: "u", upsert: true }, SECRET);
  assert.deepEqual(await verifyUploadToken(upload, "b/x", SECRET), { owner: "u", upsert: true });
  await assert.rejects(verifyUploadToken(upload, "b/y", SECRET), { code: "InvalidSignature" });
  await assert.rejects(verifyDownloadToken(upload, "b/x", SECRET), { code: "InvalidJWT" });
  assert.equal(decodeProtectedHeader(upload).typ, undefined);
});
