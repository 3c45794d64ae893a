/**
 * Every error `code` a lab failure carries, with what it means: the
 * functions throw only these (`HttpError` takes an {@link ErrorCode}), the
 * database's lab errors name them as their hint, and the SDK reports them.
 *
 * @module
 */

/** Each code and when it is used. */
export const ERROR_CODES = {
  // Defaults of their status.
  bad_request: "400: the request is malformed.",
  unauthorized: "401: no valid credentials.",
  forbidden: "403: the credentials do not allow this.",
  not_found: "404: the route or resource does not exist, or is not the caller's.",
  method_not_allowed: "405: the route does not take this method.",
  conflict: "409: the request conflicts with the current state.",
  payload_too_large: "413: the request body is over the limit.",
  unsupported_media_type: "415: the body is not JSON.",
  rate_limited: "429: too many requests; see Retry-After.",
  internal_error: "500: an unexpected failure (nothing internal is disclosed).",
  upstream_unavailable: "502: a service the lab relies on failed.",
  service_unavailable: "503: the lab cannot serve right now.",
  upstream_timeout: "504: a service the lab relies on did not answer in time.",
  // Requests.
  invalid_json: "400: the body is not valid UTF-8 JSON.",
  validation_failed: "400: the body, query or path failed validation (details lists the issues).",
  invalid_answers: "400: the questionnaire answers do not fit the questionnaire.",
  invalid_idempotency_key: "400: the Idempotency-Key is not 1-255 visible ASCII characters.",
  idempotency_conflict: "409: the Idempotency-Key was used with another body.",
  idempotency_in_progress: "409: the Idempotency-Key's first request is still running.",
  // Credentials.
  missing_token: "401: no bearer token.",
  user_token_required: "401: the token is not a signed-in user's (e.g. the anon key).",
  admin_required:
    "403: the signed-in user does not have the admin role (health readiness, system-metrics).",
  service_role_required:
    "403: the route is for the lab itself (the worker) and needs the service-role key.",
  invalid_token: "401: the token cannot be verified.",
  malformed_token: "401: the token is not a well-formed JWT.",
  invalid_signature: "401: the token's signature does not verify.",
  unsupported_algorithm: "401: the token's algorithm is not accepted.",
  token_expired: "401: the token has expired.",
  token_not_yet_valid: "401: the token is not valid yet.",
  invalid_issuer: "401: the token comes from another issuer.",
  invalid_claims: "401: a claim of the token is invalid.",
  invalid_audience: "401: the token is for another audience.",
  user_not_found: "401: the token is valid but its user is no longer in auth.users.",
  jwks_unavailable: "503: the signing keys cannot be fetched.",
  // Resources.
  calibration_not_found: "404: the calibration does not exist or is not the caller's.",
  experiments_not_found: "404: some selected experiments do not exist or are not the caller's.",
  export_not_found: "404: the export does not exist or is not the caller's.",
  job_not_found: "404: the job does not exist or is not the caller's.",
  model_not_found: "400: the requested model is not in the lab's model list, or is disabled.",
  model_ambiguous: "400: several providers list the requested model; name the provider.",
  model_unavailable: "503: the requested model's provider has no key configured.",
  export_too_large: "413: the export holds more experiments or bytes than one export may.",
  // Evaluations.
  invalid_request: "400: the request's values are out of range (e.g. the number of bins).",
  invalid_rating: "400: the ratings do not fit the score config.",
  response_not_found: "404: the response does not exist or is not the caller's.",
  config_not_found: "404: the score config does not exist.",
  judge_not_found: "404: the judge version does not exist or is not the caller's.",
  queue_not_found: "404: the review queue does not exist or is not the caller's.",
  item_not_found: "404: the review item does not exist or is not the caller's.",
  config_archived: "409: the score config is archived and takes no new ratings.",
  queue_closed: "409: the review queue is closed.",
  item_not_leased: "409: the review item is not leased to the caller.",
  // Arenas.
  arena_not_found: "404: the arena does not exist or the caller may not test it.",
  owner_cannot_vote: "403: the arena's owner may not vote in it.",
  arena_closed: "409: the arena is closed to new pairs and votes.",
  pair_not_handed: "409: the pair was not handed to the caller.",
  already_voted: "409: the pair has a vote already; votes are final.",
  // Templates, datasets and batch runs.
  template_not_found: "404: the template, version or label does not exist or is not the caller's.",
  missing_variables:
    "400: variables a template needs are missing (details.missing, or the message, names them).",
  invalid_rendered_prompt: "400: the rendered template is empty or longer than a prompt may be.",
  dataset_not_found: "404: the dataset does not exist or is not the caller's.",
  dataset_version_not_found: "404: the dataset version does not exist or is not the caller's.",
  invalid_source_path: "400: the CSV is not in the caller's own folder of the datasets bucket.",
  object_not_found: "404: the file is not in the bucket, or not the caller's.",
  dataset_not_ready: "409: the dataset version's ingest has not completed.",
  batch_run_not_found: "404: the batch run does not exist or is not the caller's.",
  parameters_required:
    "400: a run needs a calibration, parameters, or a template version with default parameters.",
  // Services.
  database_unavailable: "503: the database cannot be reached.",
  storage_unavailable: "502: Storage refused or failed.",
  // Reported by the SDK itself.
  network_error: "0: no answer arrived (network failure or abort).",
  invalid_response: "The answer does not have the documented shape.",
  export_not_ready: "The export is not completed, so it has no file to download.",
  export_failed: "The export waited for ended failed or cancelled (its job says why).",
} as const;

/** An error code of the lab. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * True when `value` is one of the lab's error codes.
 *
 * @example
 * isErrorCode("rate_limited"); // true
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}
