// Who may read what on the GitLab stand-in: users, memberships and every kind of token GitLab takes,
// decided the way GitLab decides (no HTTP here; gitlab-stand-in.ts applies it to git and the API).
// Sources (gitlabhq): lib/gitlab/auth.rb (find_for_git_client and its *_check methods,
// abilities_for_scopes), lib/gitlab/git_access.rb (check order and ERROR_MESSAGES),
// app/controllers/repositories/git_http_client_controller.rb (401 challenge and its text),
// app/policies/project_policy.rb (Guest of a private project: read_project without download_code;
// internal: any signed-in user downloads), lib/api/api_guard.rb (invalid_token / insufficient_scope
// bodies), lib/api/files.rb (read_repository is accepted by the files API only), Ci::JobToken::Scope
// (the inbound allowlist, "Limit access to this project").

export type GitLabVisibility = "public" | "internal" | "private";

export type GitLabRole = "guest" | "planner" | "reporter" | "developer" | "maintainer" | "owner";

/** GitLab's access levels (Gitlab::Access), as they appear in `permissions.project_access.access_level`. */
export const ACCESS_LEVELS: Record<GitLabRole, number> = {
  guest: 10,
  planner: 15,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
};

export type TokenScope = "api" | "read_api" | "read_repository" | "write_repository" | "read_user" | "read_registry";

export type DeployTokenScope = "read_repository" | "read_registry" | "write_registry" | "read_package_registry" | "write_package_registry";

/** A token's life: `expiresAt` is a date (`2024-01-31`); GitLab expires it at 00:00 UTC of that day. */
export interface TokenLifetime {
  expiresAt?: string;
  revoked?: boolean;
}

export interface StandInUser {
  username: string;
  /** An administrator reads every project (the `admin` flag, admin mode off). */
  admin?: boolean;
  /** Full path of a project or group → role; a group role covers its subgroups and their projects. */
  memberships?: Record<string, GitLabRole>;
}

export interface PersonalAccessTokenSpec extends TokenLifetime {
  token: string;
  /** Username of its owner (one of `users`). */
  user: string;
  scopes: TokenScope[];
}

/** An OAuth access token of an application the user authorised (git: any login, `oauth2` by convention). */
export interface OAuthTokenSpec extends TokenLifetime {
  token: string;
  user: string;
  scopes: TokenScope[];
}

/**
 * A project or group access token: GitLab creates a bot user (here `project_<path>_bot_<n>`) that is a
 * member of that one project or group with `role`, and the token is that bot's personal token.
 */
export interface ResourceAccessTokenSpec extends TokenLifetime {
  token: string;
  kind: "project" | "group";
  /** Full path of the project or group. */
  resource: string;
  role: GitLabRole;
  scopes: TokenScope[];
}

/** CI_JOB_TOKEN of a job of `project` started by `user`; valid only while the job runs. */
export interface JobTokenSpec {
  token: string;
  /** Full path of the project the job runs in. */
  project: string;
  user: string;
  /** Default true; false once the job finished (the token stops working). */
  running?: boolean;
}

/** A deploy token: its own username, bound to one project or one group (and everything below it). */
export interface DeployTokenSpec extends TokenLifetime {
  token: string;
  /** Default `gitlab+deploy-token-<n>`; git requires exactly this login. */
  username?: string;
  project?: string;
  group?: string;
  scopes: DeployTokenScope[];
}

/** A project's CI/CD job token settings: who may use a job token against this project. */
export interface JobTokenScopeSpec {
  /** "Limit access to this project" (default on, GitLab's default for new projects since 15.9). */
  limitAccess?: boolean;
  /** Projects or groups whose jobs may access this project; the project's own jobs always may. */
  allowlist?: string[];
}

/** What the access model needs to know about a project (StandInProject fits). */
export interface AccessProject {
  path: string;
  visibility: GitLabVisibility;
  /**
   * Settings → Visibility → Repository (the API's repository_access_level): `enabled` (default,
   * "Everyone With Access"), `private` ("Only Project Members": Reporter and up, even in a public
   * project), `disabled` (nobody reads the code).
   */
  repositoryAccessLevel?: "enabled" | "private" | "disabled";
  jobTokenScope?: JobTokenScopeSpec;
}

export interface GitLabAccessOptions {
  users?: StandInUser[];
  personalAccessTokens?: PersonalAccessTokenSpec[];
  oauthTokens?: OAuthTokenSpec[];
  resourceAccessTokens?: ResourceAccessTokenSpec[];
  jobTokens?: JobTokenSpec[];
  deployTokens?: DeployTokenSpec[];
  /**
   * API endpoints (GitLabEndpoint names: 'project', 'tree', 'file-raw', ...) that take JOB-TOKEN.
   * Default none: the endpoints modgate calls are not in GitLab's job token allowlist
   * (`route_setting :authentication, job_token_allowed`), so GitLab ignores the header there and
   * the caller counts as anonymous. A job token reads code through git (`gitlab-ci-token`).
   */
  jobTokenApiEndpoints?: string[];
  /** Clock for token expiry; default Date.now. */
  now?: () => number;
}

/** How the caller authenticated. */
export type TokenKind = "personal-access-token" | "project-access-token" | "group-access-token" | "oauth" | "job-token" | "deploy-token";

export type Actor =
  | { kind: "anonymous" }
  | {
      kind: "user";
      via: Exclude<TokenKind, "deploy-token">;
      username: string;
      admin: boolean;
      memberships: Record<string, GitLabRole>;
      scopes: TokenScope[];
      /** For job tokens: the project the job runs in. */
      jobProject?: string;
    }
  | { kind: "deploy-token"; username: string; project?: string; group?: string; scopes: DeployTokenScope[] };

/** Why a credential was refused; the secret is never part of it. */
export type RejectReason = "unknown" | "revoked" | "expired" | "job-finished" | "wrong-login" | "no-access-to-project";

export interface Rejected {
  kind: "rejected";
  reason: RejectReason;
  /** Which kind of token the secret belongs to, when it is one. */
  token?: TokenKind;
}

export type Authentication = Actor | Rejected;

/** A decision: 200 or GitLab's status with GitLab's text (git) or JSON body (API). */
export interface AccessAnswer {
  status: number;
  /** git: plain-text body; API: JSON body. Absent when allowed. */
  body?: string;
  /** Extra headers GitLab sends with the refusal (WWW-Authenticate). */
  headers?: Record<string, string>;
}

const HELP_URL = "http://gitlab.example.com/help/topics/git/troubleshooting_git.md#error-on-git-fetch-http-basic-access-denied";

/** GitLab's git messages (git_http_client_controller#render_access_denied, GitAccess::ERROR_MESSAGES). */
export const GIT_MESSAGES = {
  accessDenied:
    "HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect or you're required to use a token instead of a password. If a token was provided, it was either incorrect, expired, or improperly scoped. See " +
    HELP_URL,
  authDownload: "You are not allowed to download code.",
  download: "You are not allowed to download code from this project.",
  projectNotFound: "The project you were looking for could not be found or you don't have permission to view it.",
} as const;

const DOWNLOAD_SCOPES: readonly TokenScope[] = ["api", "read_api", "read_repository", "write_repository"];

/** Groups and the project itself, outermost first: `a/b/p` → `a`, `a/b`, `a/b/p`. */
function selfAndAncestors(path: string): string[] {
  const parts = path.split("/");
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

function lower(path: string): string {
  return path.toLowerCase();
}

function within(path: string, container: string): boolean {
  const p = lower(path);
  const c = lower(container);
  return p === c || p.startsWith(`${c}/`);
}

/** The highest role a user holds on `path` through the project itself or any ancestor group. */
export function roleOn(memberships: Record<string, GitLabRole>, path: string): GitLabRole | undefined {
  let best: GitLabRole | undefined;
  const chain = new Set(selfAndAncestors(path).map(lower));
  for (const [where, role] of Object.entries(memberships)) {
    if (!chain.has(lower(where))) continue;
    if (best === undefined || ACCESS_LEVELS[role] > ACCESS_LEVELS[best]) best = role;
  }
  return best;
}

/** Membership held directly on `path` (not inherited), for the `permissions` block. */
export function directRole(memberships: Record<string, GitLabRole>, path: string): GitLabRole | undefined {
  return Object.entries(memberships).find(([where]) => lower(where) === lower(path))?.[1];
}

function isBot(actor: Actor): boolean {
  return actor.kind === "user" && (actor.via === "project-access-token" || actor.via === "group-access-token");
}

/** The label recorded for a request: token kind and whose it is, never the secret. */
export function identityOf(auth: Authentication): string {
  switch (auth.kind) {
    case "anonymous":
      return "anonymous";
    case "rejected":
      return `rejected(${auth.reason})${auth.token ? `:${auth.token}` : ""}`;
    case "deploy-token":
      return `deploy-token:${auth.username}`;
    case "user":
      return auth.via === "job-token" ? `job-token:${auth.username}@${auth.jobProject}` : `${auth.via}:${auth.username}`;
  }
}

/**
 * The access model. Options arrays are kept by reference and read on every decision, so a test
 * may add tokens or memberships while the stand-in runs; revoke()/finishJob()/setRole() do the
 * common changes.
 */
export class GitLabAccess {
  readonly opts: GitLabAccessOptions;

  constructor(opts: GitLabAccessOptions = {}, serverToken?: { token: string; username: string }) {
    this.opts = opts;
    this.opts.users ??= [];
    this.opts.personalAccessTokens ??= [];
    this.opts.oauthTokens ??= [];
    this.opts.resourceAccessTokens ??= [];
    this.opts.jobTokens ??= [];
    this.opts.deployTokens ??= [];
    if (serverToken !== undefined) {
      // modgate's own token: an administrator's read_api + read_repository personal token, which is
      // how a platform team gives modgate sight of every project it must build content from.
      if (!this.opts.users.some((u) => u.username === serverToken.username)) {
        this.opts.users.push({ username: serverToken.username, admin: true });
      }
      this.opts.personalAccessTokens.push({ token: serverToken.token, user: serverToken.username, scopes: ["read_api", "read_repository"] });
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private expired(life: TokenLifetime): boolean {
    return life.expiresAt !== undefined && Date.parse(`${life.expiresAt.slice(0, 10)}T00:00:00Z`) <= this.now();
  }

  private user(username: string): StandInUser {
    const user = this.opts.users!.find((u) => u.username === username);
    if (user === undefined) throw new Error(`GitLab stand-in: token names unknown user ${JSON.stringify(username)}`);
    return user;
  }

  /** The bot user behind a project/group access token: its only membership is its resource. */
  private botActor(spec: ResourceAccessTokenSpec): Actor {
    const index = this.opts.resourceAccessTokens!.indexOf(spec);
    return {
      kind: "user",
      via: spec.kind === "project" ? "project-access-token" : "group-access-token",
      username: `${spec.kind}_${spec.resource.replace(/\//g, "_")}_bot_${index + 1}`,
      admin: false,
      memberships: { [spec.resource]: spec.role },
      scopes: spec.scopes,
    };
  }

  private userActor(via: "personal-access-token" | "oauth", username: string, scopes: TokenScope[]): Actor {
    const user = this.user(username);
    return { kind: "user", via, username, admin: user.admin === true, memberships: user.memberships ?? {}, scopes };
  }

  /** Lifetime check shared by every revocable token: undefined when the token may be used. */
  private lifeProblem(life: TokenLifetime): RejectReason | undefined {
    if (life.revoked) return "revoked";
    if (this.expired(life)) return "expired";
    return undefined;
  }

  /** A personal, project or group access token (the same table in GitLab), active or not. */
  private findAccessToken(secret: string): { actor: Actor; life: TokenLifetime; kind: TokenKind } | undefined {
    const pat = this.opts.personalAccessTokens!.find((t) => t.token === secret);
    if (pat !== undefined) return { actor: this.userActor("personal-access-token", pat.user, pat.scopes), life: pat, kind: "personal-access-token" };
    const bot = this.opts.resourceAccessTokens!.find((t) => t.token === secret);
    if (bot !== undefined) {
      return { actor: this.botActor(bot), life: bot, kind: bot.kind === "project" ? "project-access-token" : "group-access-token" };
    }
    return undefined;
  }

  /**
   * Gitlab::Auth.find_for_git_client: job token (login gitlab-ci-token), OAuth token, personal /
   * project / group access token (any login; a bot token only for a project its bot may read),
   * deploy token (login must be its username, bound to the project); anything else fails (401).
   */
  authenticateGit(login: string, password: string, project: AccessProject | undefined): Authentication {
    let refusal: Rejected = { kind: "rejected", reason: "unknown" };
    const note = (reason: RejectReason, token: TokenKind): void => void (refusal = { kind: "rejected", reason, token });

    if (login === "gitlab-ci-token") {
      const job = this.opts.jobTokens!.find((j) => j.token === password);
      if (job !== undefined && job.running !== false) {
        const user = this.user(job.user);
        return {
          kind: "user",
          via: "job-token",
          username: job.user,
          admin: user.admin === true,
          memberships: user.memberships ?? {},
          scopes: [],
          jobProject: job.project,
        };
      }
      if (job !== undefined) note("job-finished", "job-token");
    }
    const oauth = this.opts.oauthTokens!.find((t) => t.token === password);
    if (oauth !== undefined) {
      const problem = this.lifeProblem(oauth);
      if (problem === undefined) return this.userActor("oauth", oauth.user, oauth.scopes);
      note(problem, "oauth");
    }
    const access = this.findAccessToken(password);
    if (access !== undefined) {
      const problem = this.lifeProblem(access.life);
      const isBot = access.kind !== "personal-access-token";
      if (problem !== undefined) note(problem, access.kind);
      // personal_access_token_check: a bot's token only authenticates for a project the bot can read.
      else if (isBot && project !== undefined && !this.canReadProject(access.actor, project)) note("no-access-to-project", access.kind);
      else return access.actor;
    }
    const deploy = this.opts.deployTokens!.find((t) => t.token === password);
    if (deploy !== undefined) {
      const username = this.deployUsername(deploy);
      const problem = this.lifeProblem(deploy);
      if (problem !== undefined) note(problem, "deploy-token");
      else if (login !== username) note("wrong-login", "deploy-token");
      // deploy_token_check: `return if project && !token.has_access_to?(project)` → 401.
      else if (project !== undefined && !this.deployCovers(deploy, project.path)) note("no-access-to-project", "deploy-token");
      else
        return {
          kind: "deploy-token",
          username,
          ...(deploy.project ? { project: deploy.project } : {}),
          ...(deploy.group ? { group: deploy.group } : {}),
          scopes: deploy.scopes,
        };
    }
    return refusal;
  }

  private deployUsername(spec: DeployTokenSpec): string {
    return spec.username ?? `gitlab+deploy-token-${this.opts.deployTokens!.indexOf(spec) + 1}`;
  }

  /** DeployToken#has_access_to?: its project, or any project in or below its group. */
  private deployCovers(spec: { project?: string; group?: string }, path: string): boolean {
    if (spec.project !== undefined) return lower(spec.project) === lower(path);
    return spec.group !== undefined && within(path, spec.group);
  }

  /** Ci::JobToken::Scope#accessible?: same project, limit off, or the source in the allowlist. */
  private jobTokenAllows(source: string, target: AccessProject): boolean {
    if (lower(source) === lower(target.path)) return true;
    const scope = target.jobTokenScope ?? {};
    if (scope.limitAccess === false) return true;
    return (scope.allowlist ?? []).some((entry) => within(source, entry));
  }

  /** ProjectPolicy :read_project. */
  canReadProject(actor: Actor, project: AccessProject): boolean {
    if (project.visibility === "public") return true;
    if (actor.kind === "anonymous") return false;
    if (actor.kind === "deploy-token") return this.deployCovers(actor, project.path);
    // A job token reaches beyond its own project only where the target's allowlist lets it
    // (ProjectPolicy prevents everything on a non-public project otherwise).
    if (actor.jobProject !== undefined && !this.jobTokenAllows(actor.jobProject, project)) return false;
    if (actor.admin) return true;
    // Internal projects are for every signed-in person; a token's bot user is a member of its one
    // project or group only (the stand-in does not give bots the internal-visibility reach).
    if (project.visibility === "internal" && !isBot(actor)) return true;
    return roleOn(actor.memberships, project.path) !== undefined;
  }

  /** ProjectPolicy :download_code: Guest of a private project reads the project, not its code. */
  canDownloadCode(actor: Actor, project: AccessProject): boolean {
    if (!this.canReadProject(actor, project)) return false;
    const level = project.repositoryAccessLevel ?? "enabled";
    if (level === "disabled") return false;
    if (level === "private") {
      // The repository feature for members only: Reporter and up (admins too), whatever the visibility.
      if (actor.kind !== "user") return false;
      if (actor.admin) return true;
      const member = roleOn(actor.memberships, project.path);
      return member !== undefined && ACCESS_LEVELS[member] >= ACCESS_LEVELS.reporter;
    }
    if (project.visibility === "public" || actor.kind === "deploy-token") return true;
    if (actor.kind !== "user") return false;
    if (actor.admin) return true;
    if (project.visibility === "internal" && !isBot(actor)) return true;
    const role = roleOn(actor.memberships, project.path);
    return role !== undefined && ACCESS_LEVELS[role] >= ACCESS_LEVELS.reporter;
  }

  /** Whether the credential's scopes carry download_code (abilities_for_scopes; job tokens: build_download_code). */
  private mayDownloadByScope(actor: Actor): boolean {
    if (actor.kind === "anonymous") return true;
    if (actor.kind === "deploy-token") return actor.scopes.includes("read_repository");
    if (actor.via === "job-token") return true;
    return actor.scopes.some((s) => DOWNLOAD_SCOPES.includes(s));
  }

  /**
   * `GET <project>.git/info/refs?service=git-upload-pack` and the upload-pack POST, in GitAccess's
   * order: credentials (401), token abilities (403), project visible (404), download_code (403).
   * Without credentials only a public project is served; for anything else GitLab cannot tell
   * "missing" from "private" and challenges (401).
   */
  decideGit(auth: Authentication, project: AccessProject | undefined): AccessAnswer {
    const challenge = { "www-authenticate": 'Basic realm="GitLab"' };
    if (auth.kind === "rejected") return { status: 401, body: GIT_MESSAGES.accessDenied, headers: challenge };
    if (auth.kind === "anonymous") {
      // An anonymous clone needs the code open to everyone: a public project whose repository is
      // members-only (or off) challenges like a private one.
      if (project?.visibility === "public" && (project.repositoryAccessLevel ?? "enabled") === "enabled") return { status: 200 };
      return { status: 401, body: GIT_MESSAGES.accessDenied, headers: challenge };
    }
    if (!this.mayDownloadByScope(auth)) return { status: 403, body: GIT_MESSAGES.authDownload };
    if (project === undefined || !this.canReadProject(auth, project)) return { status: 404, body: GIT_MESSAGES.projectNotFound };
    if (!this.canDownloadCode(auth, project)) return { status: 403, body: GIT_MESSAGES.download };
    return { status: 200 };
  }

  /**
   * The API's token look-up (API::APIGuard#find_user_from_sources): PRIVATE-TOKEN, `private_token`,
   * `Authorization: Bearer` or `access_token` → a personal/project/group access token or an OAuth
   * token; JOB-TOKEN / `job_token` only on endpoints that take job tokens, ignored elsewhere.
   * Deploy tokens are no API credential (unknown → 401).
   */
  authenticateApi(secret: string | undefined, jobToken: string | undefined, endpoint: string): Authentication {
    if (secret !== undefined) {
      const access = this.findAccessToken(secret);
      const oauth = access === undefined ? this.opts.oauthTokens!.find((t) => t.token === secret) : undefined;
      if (access !== undefined) {
        const problem = this.lifeProblem(access.life);
        return problem === undefined ? access.actor : { kind: "rejected", reason: problem, token: access.kind };
      }
      if (oauth !== undefined) {
        const problem = this.lifeProblem(oauth);
        return problem === undefined ? this.userActor("oauth", oauth.user, oauth.scopes) : { kind: "rejected", reason: problem, token: "oauth" };
      }
      return { kind: "rejected", reason: "unknown" };
    }
    if (jobToken !== undefined && (this.opts.jobTokenApiEndpoints ?? []).includes(endpoint)) {
      const job = this.opts.jobTokens!.find((j) => j.token === jobToken);
      if (job === undefined) return { kind: "rejected", reason: "unknown", token: "job-token" };
      if (job.running === false) return { kind: "rejected", reason: "job-finished", token: "job-token" };
      const user = this.user(job.user);
      return {
        kind: "user",
        via: "job-token",
        username: job.user,
        admin: user.admin === true,
        memberships: user.memberships ?? {},
        scopes: [],
        jobProject: job.project,
      };
    }
    return { kind: "anonymous" };
  }

  /**
   * The API's refusal for a credential before any route logic: 401 for unknown/revoked/expired
   * tokens (api_guard.rb bodies), 403 insufficient_scope when the token's scopes do not cover the
   * route (GET routes take api and read_api; the files API read_repository too). undefined: go on.
   */
  apiCredentialProblem(auth: Authentication, endpoint: string): AccessAnswer | undefined {
    if (auth.kind === "rejected") {
      if (auth.reason === "revoked" || auth.reason === "expired") {
        const description =
          auth.reason === "revoked"
            ? "Token was revoked. You have to re-authorize from the user."
            : "Token is expired. You can either do re-authorization or token refresh.";
        return {
          status: 401,
          body: JSON.stringify({ error: "invalid_token", error_description: description }),
          headers: { "www-authenticate": `Bearer realm="", error="invalid_token", error_description="${description}"` },
        };
      }
      return { status: 401, body: JSON.stringify({ message: "401 Unauthorized" }) };
    }
    if (auth.kind !== "user" || auth.via === "job-token") return undefined;
    const allowed: TokenScope[] = endpoint === "file-raw" ? ["api", "read_api", "read_repository"] : ["api", "read_api"];
    if (auth.scopes.some((s) => allowed.includes(s))) return undefined;
    return {
      status: 403,
      body: JSON.stringify({
        error: "insufficient_scope",
        error_description: "The request requires higher privileges than provided by the access token.",
        scope: allowed.join(" "),
      }),
    };
  }

  /** GroupPolicy :read_group: public; internal for any signed-in user; private for members inside or below it. */
  canReadGroup(actor: Actor, group: { fullPath: string; visibility: GitLabVisibility }): boolean {
    if (group.visibility === "public") return true;
    if (actor.kind !== "user") return false;
    if (actor.admin || group.visibility === "internal") return true;
    return Object.keys(actor.memberships).some((where) => within(where, group.fullPath) || within(group.fullPath, where));
  }

  private findAnyToken(secret: string): TokenLifetime | JobTokenSpec | undefined {
    return (
      this.opts.personalAccessTokens!.find((t) => t.token === secret) ??
      this.opts.oauthTokens!.find((t) => t.token === secret) ??
      this.opts.resourceAccessTokens!.find((t) => t.token === secret) ??
      this.opts.deployTokens!.find((t) => t.token === secret) ??
      this.opts.jobTokens!.find((t) => t.token === secret)
    );
  }

  /** Revokes any token (a job token: its job finishes), effective on the next request. */
  revoke(secret: string): void {
    const found = this.findAnyToken(secret);
    if (found === undefined) throw new Error("GitLab stand-in: revoke() of a token it does not know");
    if (this.opts.jobTokens!.includes(found as JobTokenSpec)) (found as JobTokenSpec).running = false;
    else (found as TokenLifetime).revoked = true;
  }

  /** Sets (or with undefined removes) a user's role on a project or group. */
  setRole(username: string, path: string, role: GitLabRole | undefined): void {
    const user = this.user(username);
    const memberships = (user.memberships ??= {});
    if (role === undefined) delete memberships[path];
    else memberships[path] = role;
  }
}
