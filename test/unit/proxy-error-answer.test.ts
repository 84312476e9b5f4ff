// What a proxy client gets when building an answer fails: GitLab timing out
// is 504, GitLab failing otherwise 502, rate-limited 503 with Retry-After,
// too large for the runtime 507 (503 when only other builds made it so).
import { describe, expect, it } from "vitest";
import { bodyText } from "../../src/http/responses.js";
import { fetchFailure, GitlabUnavailable } from "../../src/gitlab/failure.js";
import { GitlabClient } from "../../src/gitlab/client.js";
import { TooLargeError } from "../../src/proxy/repo/errors.js";
import { ModuleError, NotExistError, invalidVersion, moduleError } from "../../src/module/errors.js";
import { errorAnswer } from "../../src/proxy/service.js";

const GITLAB = "http://gitlab.test";

describe("errorAnswer", () => {
  it("answers 504 when GitLab's answer timed out, as fetchFailure words it", () => {
    const err = fetchFailure(new DOMException("timed out", "TimeoutError"), GITLAB, 5000);
    const a = errorAnswer(err);
    expect(a.status).toBe(504);
    expect(bodyText(a)).toContain("GitLab did not answer in time");
  });

  it("answers 504 for an archive whose first byte takes longer than the client waits (a TimeoutError from fetch)", async () => {
    const client = new GitlabClient({
      url: GITLAB,
      apiTimeoutMs: 5000,
      maxConcurrentCalls: 4,
      fetch: () => Promise.reject(new DOMException("timed out", "TimeoutError")),
    });
    const failed = await client.archive("platform/big", "0".repeat(40), "").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(GitlabUnavailable);
    expect(errorAnswer(failed).status).toBe(504);
  });

  it("answers 504 for the look-up's own timeout", () => {
    expect(errorAnswer(new GitlabUnavailable("timeout", "GitLab did not answer within 5 s")).status).toBe(504);
  });

  it("answers 502 when GitLab cannot be reached or broke off, 503 with Retry-After when it rate-limits", () => {
    expect(errorAnswer(new GitlabUnavailable("unreachable", "GitLab's archive broke off before its end")).status).toBe(502);
    const limited = errorAnswer(new GitlabUnavailable("rate_limited", "429", 429));
    expect(limited.status).toBe(503);
    expect(limited.headers?.["Retry-After"]).toBe("60");
  });

  it("answers 404 with the go command's words for every not-found, a ModuleError included (one kind, as modfetch's fs.ErrNotExist)", () => {
    const invalid = moduleError("example.com/m", "", invalidVersion("v1.0.0", "unknown revision v1.0.0"));
    expect(invalid).toBeInstanceOf(NotExistError);
    expect(invalid.message).toBe("example.com/m@v1.0.0: invalid version: unknown revision v1.0.0");
    for (const err of [new NotExistError("unknown revision v9"), invalid, new ModuleError('malformed module path "x": missing dot in first path element')]) {
      const a = errorAnswer(err);
      expect(a.status).toBe(404);
      expect(bodyText(a)).toBe(`not found: ${err.message}\n`);
    }
  });

  it("answers 507 for a module too large for the runtime, 503 when only other builds made it so", () => {
    expect(errorAnswer(new TooLargeError("too large")).status).toBe(507);
    expect(errorAnswer(new TooLargeError("busy", true)).status).toBe(503);
  });
});
