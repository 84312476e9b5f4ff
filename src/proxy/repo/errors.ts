// The three ways a proxy answer can fail, as the go command tells them apart
// (module-proxy-rules.md §1.3): "not here" (404, the client may try the next
// proxy), GitLab failing (5xx, the look-up stops), and a request the go
// command never sends (400). Messages use the go command's own wording, so a
// user sees through modgate what direct mode would have said.

/** The module, version or file does not exist, or direct mode would refuse it. Answered 404. */
export class NotExistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotExistError";
  }
}

/** `<path>@<version>: invalid version: <why>`, as module.ModuleError + InvalidVersionError print it. */
export function invalidVersion(path: string, version: string, why: string, pseudo = false): NotExistError {
  return new NotExistError(`${path}@${version}: invalid ${pseudo ? "pseudo-version" : "version"}: ${why}`);
}

/** `module <path>: <why>`, for errors that name no version. */
export function moduleError(path: string, why: string): NotExistError {
  return new NotExistError(`module ${path}: ${why}`);
}

/**
 * The runtime cannot hold what building this answer needs (a Worker isolate
 * has 128 MB). Answered with a 5xx that says so: never a truncated zip, and
 * never a 404 (which would send the client on to the next proxy).
 */
export class TooLargeError extends Error {
  constructor(
    message: string,
    /** True when only other builds running at the same time made it too large: worth a retry. */
    readonly transient = false,
  ) {
    super(message);
    this.name = "TooLargeError";
  }
}
