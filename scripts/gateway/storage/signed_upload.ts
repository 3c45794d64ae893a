/**
 * LOCAL STACK: signed upload URLs in the Storage API stand-in —
 * `POST /object/upload/sign/{bucket}/{path}` (storage-js
 * `createSignedUploadUrl`: the caller must be allowed to write there now) and
 * `PUT /object/upload/sign/{bucket}/{path}?token=` (`uploadToSignedUrl`: no
 * caller, the token is the permission and names the owner), as in R06.
 *
 * @module
 */
import { authenticate, type StorageContext } from "./context.ts";
import { STORAGE_ERRORS, storageJson } from "./errors.ts";
import { callerFromClaims } from "./store.ts";
import { signUploadToken, verifyUploadToken } from "./tokens.ts";
import { acceptUpload, receiveUpload } from "./upload.ts";

/** `POST /object/upload/sign/{bucket}/{path}` -> `{url, token}`. */
export async function handleSignUpload(
  ctx: StorageContext,
  request: Request,
  target: { bucket: string; name: string; upsert: boolean },
): Promise<Response> {
  const caller = await authenticate(ctx, request);
  await acceptUpload(ctx, caller, target);
  const url = `${target.bucket}/${target.name}`;
  const token = await signUploadToken(
    { url, owner: caller.sub || undefined, upsert: target.upsert },
    ctx.signingSecret,
  );
  return storageJson({ url: `/object/upload/sign/${url}?token=${token}`, token });
}

/** `PUT /object/upload/sign/{bucket}/{path}?token=` -> `{Key, Id}`. */
export async function handleSignedUpload(
  ctx: StorageContext,
  request: Request,
  target: { bucket: string; name: string },
): Promise<Response> {
  const token = new URL(request.url).searchParams.get("token");
  if (token === null) {
    throw STORAGE_ERRORS.validation("querystring must have required property 'token'");
  }
  const { owner, upsert } = await verifyUploadToken(
    token,
    `${target.bucket}/${target.name}`,
    ctx.signingSecret,
  );
  // Storage writes a signed upload as itself: the RLS check happened when it was signed.
  const storage = callerFromClaims({ role: "service_role" });
  const accepted = await acceptUpload(ctx, storage, { ...target, upsert, owner });
  return await receiveUpload(ctx, request, accepted);
}
