/** LOCAL STACK: the path helpers the scripts need (deno std is not reachable here). */

/** Converts a file: URL to a filesystem path. */
export function fromFileUrl(url: URL): string {
  if (url.protocol !== "file:") throw new Error(`Not a file URL: ${url.href}`);
  return decodeURIComponent(url.pathname);
}

/** Whether something exists at `path`. */
export function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, () => false);
}
