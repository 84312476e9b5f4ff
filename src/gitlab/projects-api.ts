// The two calls of GitLab's REST API that discovery makes, by full path:
// GET /api/v4/projects/:id and GET /api/v4/groups/:id. Missing and forbidden
// both answer 404 there; anything else that is not an answer is GitLab
// failing, reported with its cause (gitlab-failure.ts), never as "not found".
import { fetchFailure, GitlabUnavailable, statusFailure } from "./failure.js";
import { isBranchName } from "./ref-name.js";

export { GitlabUnavailable } from "./failure.js";

export type Visibility = "public" | "internal" | "private";

/**
 * Links for a project whose default branch is unknown or not a valid branch
 * name point at HEAD, which GitLab resolves to the default branch.
 */
export const UNKNOWN_BRANCH = "HEAD";

export interface GitlabProject {
  /** The project's current full path: differs from the one asked for when it was moved or renamed. */
  pathWithNamespace: string;
  /** A valid branch name (ref-name.ts), or UNKNOWN_BRANCH. */
  defaultBranch: string;
  visibility: Visibility;
}

export type ProjectAnswer = { found: true; project: GitlabProject } | { found: false };

/** fullPath: the group's canonical full path (GitLab finds groups in any letter case). */
export type GroupAnswer = { found: true; fullPath: string } | { found: false };

export interface ApiSettings {
  url: string;
  token?: string;
  apiTimeoutMs: number;
}

export async function fetchProject(api: ApiSettings, fullPath: string, fetchFn: typeof fetch = fetch): Promise<ProjectAnswer> {
  const body = await getJson(api, `projects/${encodeURIComponent(fullPath)}`, fetchFn);
  if (body === undefined) return { found: false };
  const path = body.path_with_namespace;
  const visibility = body.visibility;
  if (typeof path !== "string" || !isVisibility(visibility)) {
    throw new GitlabUnavailable("bad_answer", "GitLab answered with something that is not a project", 200);
  }
  // An empty repository has no default branch (null); a name git would refuse is no branch either.
  const branch = typeof body.default_branch === "string" && isBranchName(body.default_branch) ? body.default_branch : UNKNOWN_BRANCH;
  return { found: true, project: { pathWithNamespace: path, defaultBranch: branch, visibility } };
}

/** with_projects=false: GitLab would otherwise list up to 100 of the group's projects in the answer. */
export async function fetchGroup(api: ApiSettings, fullPath: string, fetchFn: typeof fetch = fetch): Promise<GroupAnswer> {
  const body = await getJson(api, `groups/${encodeURIComponent(fullPath)}?with_projects=false`, fetchFn);
  if (body === undefined) return { found: false };
  if (typeof body.full_path !== "string") throw new GitlabUnavailable("bad_answer", "GitLab answered with something that is not a group", 200);
  return { found: true, fullPath: body.full_path };
}

/** The JSON object GitLab answered, or undefined for its 404. */
async function getJson(api: ApiSettings, route: string, fetchFn: typeof fetch): Promise<Record<string, unknown> | undefined> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (api.token) headers["PRIVATE-TOKEN"] = api.token;
  let response: Response;
  try {
    response = await fetchFn(`${api.url}/api/v4/${route}`, {
      headers,
      // A redirect would carry the token to wherever it points: never follow one.
      redirect: "manual",
      signal: AbortSignal.timeout(api.apiTimeoutMs),
    });
  } catch (err) {
    throw fetchFailure(err, api.url, api.apiTimeoutMs);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    if (response.status === 404) return undefined;
    throw statusFailure(response.status, api.url, response.headers);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (err) {
    const name = (err as Error).name;
    if (name === "TimeoutError" || name === "AbortError") throw fetchFailure(err, api.url, api.apiTimeoutMs);
    throw new GitlabUnavailable("bad_answer", "GitLab answered with something that is not JSON: is gitlab.url GitLab itself?", 200);
  }
  if (body === null || typeof body !== "object") throw new GitlabUnavailable("bad_answer", "GitLab answered with something that is not a JSON object", 200);
  return body as Record<string, unknown>;
}

function isVisibility(v: unknown): v is Visibility {
  return v === "public" || v === "internal" || v === "private";
}
