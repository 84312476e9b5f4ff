// The two calls of GitLab's REST API that discovery makes, by full path:
// GET /api/v4/projects/:id and GET /api/v4/groups/:id. Missing and forbidden
// both answer 404 there; anything else that is not an answer is GitLab
// failing, reported with its cause (gitlab-failure.ts), never as "not found".
import { fetchFailure, GitlabUnavailable, statusFailure } from "./failure.js";
import { parseProject, type GitlabProject } from "./project.js";

export { GitlabUnavailable } from "./failure.js";
export { UNKNOWN_BRANCH } from "./project.js";
export type { GitlabProject } from "./project.js";

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
  return { found: true, project: parseProject(body) };
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
