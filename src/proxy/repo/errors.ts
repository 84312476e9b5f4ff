// The three ways a proxy answer can fail, as the go command tells them apart
// (docs/go-rules.md §1.3): "not here" (404, the client may try the next
// proxy: NotExistError and ModuleError of src/module/errors.ts), GitLab
// failing (5xx, the look-up stops: src/gitlab/failure.ts), and a request the
// go command never sends (400). Messages use the go command's own wording, so
// a user sees through modgate what direct mode would have said.

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

/**
 * proxy.maxConcurrentBuilds zips are being built and as many as may wait are
 * waiting: 503 with Retry-After (worth a retry, never a 404 that would send
 * the client on to the next proxy).
 */
export class TooManyBuildsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TooManyBuildsError";
  }
}
