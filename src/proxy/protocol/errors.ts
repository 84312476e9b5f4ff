// Every failure of a proxy answer mapped to its status in one place
// (docs/go-rules.md §1.3): "not here" is 404 with the go command's words (the
// client may try the next proxy); GitLab or discovery failing is a 5xx that
// ends the client's look-up (a 404 would send the path to the next proxy);
// anything else is our fault, 500.
import { textAnswer, type PlainAnswer } from "../../http/responses.js";
import { GitlabUnavailable } from "../../gitlab/failure.js";
import { TooLargeError, TooManyBuildsError } from "../repo/errors.js";
import { NotExistError } from "../../module/errors.js";
import { LocateUnavailable } from "../modules.js";
import type { RequestOutcome } from "../events.js";

/** Retry-After of "too many builds": about what a typical build takes. */
export const BUILDS_RETRY_AFTER_SECONDS = 10;

/** A non-public module whose reader GitLab cannot check now (no remembered decision, or it expired). */
export class AccessUndecided extends Error {
  constructor(
    readonly modulePath: string,
    override readonly cause: GitlabUnavailable,
  ) {
    super(`${modulePath}: GitLab is unavailable (${cause.kind}), so modgate cannot check your access to this private module now; try again later`);
    this.name = "AccessUndecided";
  }
}

export function errorAnswer(err: unknown): PlainAnswer {
  // Never a grant, never a 404: the reader may retry once GitLab answers (finding 6).
  if (err instanceof AccessUndecided) return textAnswer(503, err.message, { "Cache-Control": "no-store", "Retry-After": "30" });
  if (err instanceof NotExistError) return textAnswer(404, `not found: ${oneLine(err.message)}`);
  // Discovery could not decide (GitLab failing, or its call queue full): the same 503 a go-get answer gives.
  if (err instanceof LocateUnavailable) return textAnswer(503, `service unavailable: ${err.reason}; try again later`);
  if (err instanceof GitlabUnavailable) {
    if (err.kind === "rate_limited") return textAnswer(503, "GitLab is rate-limiting modgate; try again later", { "Retry-After": "60" });
    // A timeout is 504 whatever words its reason uses (an archive GitLab took too long to start, issue 12's 80 MiB module).
    if (err.kind === "timeout") return textAnswer(504, "GitLab did not answer in time; try again later");
    return textAnswer(502, "GitLab is unavailable; try again later");
  }
  // Too large for this runtime: 507 says the server cannot hold it (a retry will not help);
  // too many builds at once in one Worker isolate: 503, worth a retry.
  if (err instanceof TooLargeError) {
    return err.transient ? textAnswer(503, err.message, { "Retry-After": "60" }) : textAnswer(507, oneLine(err.message));
  }
  // Too many zips being built at once (proxy.maxConcurrentBuilds) and its queue full: retry shortly.
  if (err instanceof TooManyBuildsError) return textAnswer(503, oneLine(err.message), { "Retry-After": String(BUILDS_RETRY_AFTER_SECONDS) });
  console.error("modgate: proxy internal error:", err);
  return textAnswer(500, "internal error");
}

/** The metrics' outcome of an answer's status. */
export function outcomeOf(status: number): RequestOutcome {
  if (status === 200) return "ok";
  if (status === 400) return "bad-request";
  if (status === 401 || status === 403) return "forbidden";
  if (status === 404 || status === 410) return "not-found";
  return "unavailable";
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ");
}
