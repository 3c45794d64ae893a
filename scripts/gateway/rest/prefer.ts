/**
 * LOCAL STACK: the request headers that shape a PostgREST answer —
 * `Prefer` (`return=`, `resolution=`, `count=`; docs.postgrest.org
 * references/prefer) and `Range: <from>-<to>` (references/api/pagination_count)
 * — and the `Content-Range`/status they lead to.
 *
 * @module
 */
import { REST_ERRORS } from "./errors.ts";

/** What a `Prefer` header asks for. */
export interface Preferences {
  return: "minimal" | "representation" | "headers-only" | null;
  resolution: "merge" | "ignore" | null;
  count: boolean;
}

/** Parses `Prefer: return=representation,count=exact, resolution=merge-duplicates`. */
export function parsePrefer(header: string | null): Preferences {
  const prefs: Preferences = { return: null, resolution: null, count: false };
  for (const part of (header ?? "").split(",")) {
    const [key, value] = part.trim().split("=").map((s) => s.trim());
    if (
      key === "return" &&
      (value === "minimal" || value === "representation" || value === "headers-only")
    ) {
      prefs.return = value;
    } else if (key === "resolution" && value === "merge-duplicates") prefs.resolution = "merge";
    else if (key === "resolution" && value === "ignore-duplicates") prefs.resolution = "ignore";
    else if (
      key === "count" && (value === "exact" || value === "planned" || value === "estimated")
    ) {
      // Planned and estimated counts are exact here: the stand-in has no planner statistics to use.
      prefs.count = true;
    }
  }
  return prefs;
}

/** The `Preference-Applied` header PostgREST answers with. */
export function preferenceApplied(prefs: Preferences): string | null {
  const applied = [
    prefs.return ? `return=${prefs.return}` : null,
    prefs.resolution ? `resolution=${prefs.resolution}-duplicates` : null,
    prefs.count ? "count=exact" : null,
  ].filter((p) => p !== null);
  return applied.length ? applied.join(", ") : null;
}

/**
 * The page to read: the `Range` header (`0-9`, `10-`) intersected with the
 * `limit`/`offset` parameters, as PostgREST's `restrictRange` does.
 */
export function effectivePage(
  rangeHeader: string | null,
  query: { limit?: number; offset?: number },
): { limit?: number; offset?: number } {
  const match = rangeHeader ? /^(\d+)-(\d*)$/.exec(rangeHeader.trim()) : null;
  let offset = query.offset ?? 0;
  let limit = query.limit;
  if (match) {
    const from = Number(match[1]);
    const to = match[2] === "" ? undefined : Number(match[2]);
    offset = Math.max(offset, from);
    if (to !== undefined) {
      if (to < from) throw REST_ERRORS.rangeNotSatisfiable(from, 0);
      const headerLimit = to - offset + 1;
      limit = limit === undefined ? headerLimit : Math.min(limit, headerLimit);
    }
  }
  return { ...(limit !== undefined ? { limit } : {}), ...(offset ? { offset } : {}) };
}

/**
 * `Content-Range` and status for a read of `rows` rows from `offset`, out of
 * `total` when counted: 206 when the page is not everything, 416 when it
 * starts past the end (PostgREST's `rangeStatusHeader`).
 */
export function rangeAnswer(
  offset: number,
  rows: number,
  total: number | null,
): { status: number; contentRange: string } {
  const totalText = total === null ? "*" : String(total);
  if (total !== null && offset > total) {
    throw REST_ERRORS.rangeNotSatisfiable(offset, total);
  }
  const contentRange = rows === 0
    ? `*/${totalText}`
    : `${offset}-${offset + rows - 1}/${totalText}`;
  const status = total !== null && rows < total ? 206 : 200;
  return { status, contentRange };
}
