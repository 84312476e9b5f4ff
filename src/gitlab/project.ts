// A GitLab project as modgate knows it, read from GET /api/v4/projects/:id
// (GitLab's Projects API, "Get a single project"), and the one Visibility.
// Discovery renders go-get answers from it; the module proxy reads its
// repository and decides access by it. One parser for both: what GitLab
// answers is checked once, the same way.
import { GitlabUnavailable } from "./failure.js";
import { isBranchName } from "./ref-name.js";

/** GitLab's project visibility levels (the Projects API's `visibility` field). */
export type Visibility = "public" | "internal" | "private";

/**
 * Who may read a project's repository (the Projects API's `repository_access_level`,
 * one of its "project feature visibility levels"): everyone who can see the
 * project, members only, or nobody (the repository is switched off).
 */
export type RepositoryAccessLevel = "enabled" | "private" | "disabled";

/**
 * The default branch when it is unknown or not a valid branch name: links
 * point at HEAD, which GitLab resolves to the default branch.
 */
export const UNKNOWN_BRANCH = "HEAD";

export interface GitlabProject {
  /** GitLab's numeric project id, when it sent one (look-ups cached before it was read have none). */
  id?: number;
  /** The project's current full path: differs from the one asked for when it was moved or renamed. */
  pathWithNamespace: string;
  /**
   * A valid branch name (ref-name.ts), or UNKNOWN_BRANCH: an empty
   * repository has none (GitLab sends null), and a name git would refuse
   * cannot be a real branch, so it must not steer links or API calls.
   */
  defaultBranch: string;
  visibility: Visibility;
  /**
   * Only when GitLab sent it: "the fields returned in responses vary based
   * on the permissions of the authenticated user" (Projects API), so its
   * absence says nothing about the project, and modgate then treats it as
   * not public (isPubliclyReadable).
   */
  repositoryAccessLevel?: RepositoryAccessLevel;
}

/**
 * Whether anyone, signed in or not, may read the project's code: visibility
 * public AND repository "Everyone With Access" (repository_access_level
 * enabled). A public project whose repository is members-only ("private") or
 * switched off ("disabled") refuses anonymous clones at GitLab, so modgate
 * must not serve it to everyone either; an absent field counts as not public.
 * The one test of "public" for the proxy (access, Cache-Control), go-get's
 * transport auto and the pages.
 */
export function isPubliclyReadable(project: Pick<GitlabProject, "visibility" | "repositoryAccessLevel">): boolean {
  return project.visibility === "public" && project.repositoryAccessLevel === "enabled";
}

export function isVisibility(v: unknown): v is Visibility {
  return v === "public" || v === "internal" || v === "private";
}

function isRepositoryAccessLevel(v: unknown): v is RepositoryAccessLevel {
  return v === "enabled" || v === "private" || v === "disabled";
}

/** The project in GitLab's answer; a GitLab failure (bad_answer) when it is not one. */
export function parseProject(body: Record<string, unknown>): GitlabProject {
  const path = body.path_with_namespace;
  const visibility = body.visibility;
  if (typeof path !== "string" || !isVisibility(visibility)) {
    throw new GitlabUnavailable("bad_answer", "GitLab answered with something that is not a project", 200);
  }
  // An empty repository has no default branch (null); a name git would refuse is no branch either.
  const branch = typeof body.default_branch === "string" && isBranchName(body.default_branch) ? body.default_branch : UNKNOWN_BRANCH;
  const project: GitlabProject = { pathWithNamespace: path, defaultBranch: branch, visibility };
  if (typeof body.id === "number" && Number.isSafeInteger(body.id)) project.id = body.id;
  if (isRepositoryAccessLevel(body.repository_access_level)) project.repositoryAccessLevel = body.repository_access_level;
  return project;
}
