// Whether GitLab lets a credential read a project's code, asked the way `git
// clone` asks: GET <gitlab.url>/<project>.git/info/refs?service=git-upload-pack
// with HTTP Basic. GitLab's git endpoint takes every credential a reader may
// hold — personal, project and group access tokens, OAuth tokens (login
// oauth2), CI job tokens (login gitlab-ci-token, with the job token allowlist
// applied), deploy tokens (their own login) — and checks download_code, which
// a Guest of a private project lacks (GET /projects/:id alone would let a
// Guest through). The URL is built from gitlab.url and a project path from the
// config or GitLab itself; redirects are never followed, so the credential
// goes to GitLab's own URL and nowhere else.
import { fetchFailure, statusFailure } from "./failure.js";
import { basicAuthorization, type Credential } from "./credential.js";

/** allowed: may read code; rejected: GitLab does not accept the credential (401); denied: accepted, but no access. */
export type AccessVerdict = "allowed" | "rejected" | "denied";

export interface AccessCheckOptions {
  gitlabUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  acquire?: () => Promise<() => void>;
}

export async function checkReadAccess(o: AccessCheckOptions, project: string, credential: Credential): Promise<AccessVerdict> {
  const url = `${o.gitlabUrl}/${project.split("/").map(encodeURIComponent).join("/")}.git/info/refs?service=git-upload-pack`;
  const release = o.acquire ? await o.acquire() : undefined;
  let response: Response;
  try {
    response = await (o.fetch ?? fetch)(url, {
      headers: { Authorization: basicAuthorization(credential), "User-Agent": "git/2.43.0 (modgate access check)" },
      redirect: "manual",
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (err) {
    throw fetchFailure(err, o.gitlabUrl, o.timeoutMs);
  } finally {
    release?.();
  }
  // Only the status matters: the ref advertisement is not read.
  await response.body?.cancel().catch(() => {});
  switch (response.status) {
    case 200:
      return "allowed";
    case 401:
      return "rejected";
    // 403: seen but no download_code (a Guest, a job token outside the allowlist); 404: not visible to it.
    case 403:
    case 404:
      return "denied";
    default:
      throw statusFailure(response.status, o.gitlabUrl, response.headers);
  }
}
