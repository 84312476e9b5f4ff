// One call of GitLab's REST API: GET /api/v4/projects/:id by full path.
// Missing and forbidden both answer 404 there; anything else that is not a
// project is GitLab failing, and is reported as such, never as "not found".

export type Visibility = "public" | "internal" | "private";

export interface GitlabProject {
  /** The project's current full path: differs from the one asked for when it was moved or renamed. */
  pathWithNamespace: string;
  defaultBranch: string;
  visibility: Visibility;
}

export type ProjectAnswer = { found: true; project: GitlabProject } | { found: false };

/** GitLab could not give an answer: unreachable, too slow, failing, or rejecting the token. */
export class GitlabUnavailable extends Error {
  constructor(
    readonly reason: string,
    readonly status?: number,
  ) {
    super(reason);
    this.name = "GitlabUnavailable";
  }
}

export interface ApiSettings {
  url: string;
  token?: string;
  apiTimeoutMs: number;
}

export async function fetchProject(api: ApiSettings, fullPath: string, fetchFn: typeof fetch = fetch): Promise<ProjectAnswer> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (api.token) headers["PRIVATE-TOKEN"] = api.token;
  let response: Response;
  try {
    response = await fetchFn(`${api.url}/api/v4/projects/${encodeURIComponent(fullPath)}`, {
      headers,
      // A redirect would carry the token to wherever it points: never follow one.
      redirect: "manual",
      signal: AbortSignal.timeout(api.apiTimeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error).name === "TimeoutError" || (err as Error).name === "AbortError";
    throw new GitlabUnavailable(timedOut ? `GitLab did not answer within ${api.apiTimeoutMs / 1000} s` : "GitLab could not be reached");
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return { found: false };
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new GitlabUnavailable(`GitLab rejected modgate's API token (${response.status})`, response.status);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    const to = hostOf(response.headers.get("location"));
    throw new GitlabUnavailable(
      `GitLab answered ${response.status}, a redirect${to ? ` to ${to}` : ""}: set gitlab.url to the address GitLab answers on`,
      response.status,
    );
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new GitlabUnavailable(`GitLab answered ${response.status}`, response.status);
  }
  let body: Record<string, unknown>;
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch (err) {
    const timedOut = (err as Error).name === "TimeoutError" || (err as Error).name === "AbortError";
    throw new GitlabUnavailable(
      timedOut ? `GitLab did not answer within ${api.apiTimeoutMs / 1000} s` : "GitLab answered with something that is not a project (not JSON)",
      200,
    );
  }
  const path = body.path_with_namespace;
  const visibility = body.visibility;
  if (typeof path !== "string" || !isVisibility(visibility)) {
    throw new GitlabUnavailable("GitLab answered with something that is not a project", 200);
  }
  const branch = typeof body.default_branch === "string" && body.default_branch !== "" ? body.default_branch : "main";
  return { found: true, project: { pathWithNamespace: path, defaultBranch: branch, visibility } };
}

function hostOf(location: string | null): string | undefined {
  if (!location) return undefined;
  try {
    return new URL(location).host;
  } catch {
    return undefined;
  }
}

function isVisibility(v: unknown): v is Visibility {
  return v === "public" || v === "internal" || v === "private";
}
