/**
 * Text a client chose (a request's path, its method) made storable in
 * PostgreSQL text and jsonb, which refuse NUL and unpaired surrogates, so
 * bookkeeping about a hostile request is written like any other.
 *
 * @module
 */

/**
 * `text` without NUL, with unpaired surrogates replaced by U+FFFD, cut to
 * `maxLength` UTF-16 units (never inside a pair), or `fallback` when nothing is left.
 *
 * @example
 * storableText("/calibration/\0", { maxLength: 200, fallback: "/" }); // "/calibration/"
 */
export function storableText(
  text: string,
  options: { maxLength: number; fallback: string },
): string {
  const clean = text.replaceAll("\0", "").toWellFormed().slice(0, options.maxLength).toWellFormed();
  return clean === "" ? options.fallback : clean;
}
