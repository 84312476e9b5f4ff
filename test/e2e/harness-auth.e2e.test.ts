// The harness for issue 11 tested on its own: the GitLab stand-in decides access per credential
// as GitLab does (git info/refs and the REST API), and the go command reaches
// https://go.example.com through the forward proxy's CONNECT and the TLS terminator, sending its
// .netrc credential there — and not over plain http.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeServer,
  createGoEnv,
  createRepoRoot,
  encodeProjectId,
  GIT_MESSAGES,
  listenLoopback,
  LOOPBACK,
  makeRepo,
  makeTempDir,
  pathWithoutGit,
  removeDir,
  requireTools,
  run,
  startForwardProxy,
  startGitLabStandIn,
  startHttpsFront,
  toolPath,
  writeNetrc,
  type ForwardProxy,
  type GitlessPath,
  type GitLabStandIn,
  type GoEnv,
  type HttpsFront,
  type RepoRoot,
  type StandInProject,
} from "./harness/index.js";

const SERVER_TOKEN = "glpat-modgate-server-token";
const SECRET = "platform/secret";
const INTERNAL = "platform/internal";
const PUBLIC = "platform/public";
const CI_APP = "ci/app";
const CI_OTHER = "ci/other";
const PROJECTS = [SECRET, INTERNAL, PUBLIC, CI_APP, CI_OTHER];

/** Every secret the stand-in knows, so the records can be searched for them. */
const T = {
  aliceRepo: "glpat-alice-read-repository",
  aliceApi: "glpat-alice-read-api",
  aliceUser: "glpat-alice-read-user-only",
  aliceSpare: "glpat-alice-spare",
  aliceRevoked: "glpat-alice-revoked",
  aliceExpired: "glpat-alice-expired",
  ginaApi: "glpat-gina-guest",
  bobRepo: "glpat-bob-no-member",
  oauth: "oauth-alice-api",
  projectBot: "glpat-project-bot-secret",
  groupBot: "glpat-group-bot-ci",
  jobApp: "job-ci-app-alice",
  jobOther: "job-ci-other-alice",
  jobGina: "job-ci-app-gina",
  jobDone: "job-token-of-a-done-job",
  deploy: "gldt-secret-deploy",
  deployRegistry: "gldt-registry-only",
} as const;

const DEPLOY_USER = "gitlab+deploy-token-1";

/** Read by the stand-in on every request, so a test may change a project's settings. */
const STAND_IN_PROJECTS: StandInProject[] = [
  // ci/app's jobs may use their token on platform/secret; ci/other's may not.
  { path: SECRET, visibility: "private", jobTokenScope: { allowlist: [CI_APP] } },
  { path: INTERNAL, visibility: "internal" },
  { path: PUBLIC, visibility: "public" },
  { path: CI_APP, visibility: "private" },
  { path: CI_OTHER, visibility: "private" },
];

function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString("base64")}`;
}

describe.skipIf(!requireTools("git", "git-http-backend"))("GitLab stand-in: access per credential", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;

  beforeAll(async () => {
    repos = await createRepoRoot();
    for (const path of PROJECTS) await makeRepo(repos.dir, path, { files: { "go.mod": `module go.example.com/${path}\n` } });
    lab = await startGitLabStandIn({
      root: repos.dir,
      token: SERVER_TOKEN,
      projects: STAND_IN_PROJECTS,
      access: {
        users: [
          { username: "alice", memberships: { [SECRET]: "reporter", ci: "developer" } },
          { username: "gina", memberships: { [SECRET]: "guest", [CI_APP]: "developer" } },
          { username: "bob" },
        ],
        personalAccessTokens: [
          { token: T.aliceRepo, user: "alice", scopes: ["read_repository"] },
          { token: T.aliceApi, user: "alice", scopes: ["read_api"] },
          { token: T.aliceUser, user: "alice", scopes: ["read_user"] },
          { token: T.aliceSpare, user: "alice", scopes: ["read_repository", "read_api"] },
          { token: T.aliceRevoked, user: "alice", scopes: ["api"], revoked: true },
          { token: T.aliceExpired, user: "alice", scopes: ["api"], expiresAt: "2020-01-01" },
          { token: T.ginaApi, user: "gina", scopes: ["read_api", "read_repository"] },
          { token: T.bobRepo, user: "bob", scopes: ["read_repository", "read_api"] },
        ],
        oauthTokens: [{ token: T.oauth, user: "alice", scopes: ["api"] }],
        resourceAccessTokens: [
          { token: T.projectBot, kind: "project", resource: SECRET, role: "reporter", scopes: ["read_repository"] },
          { token: T.groupBot, kind: "group", resource: "ci", role: "reporter", scopes: ["read_repository", "read_api"] },
        ],
        jobTokens: [
          { token: T.jobApp, project: CI_APP, user: "alice" },
          { token: T.jobOther, project: CI_OTHER, user: "alice" },
          { token: T.jobGina, project: CI_APP, user: "gina" },
          { token: T.jobDone, project: CI_APP, user: "alice", running: false },
        ],
        deployTokens: [
          { token: T.deploy, project: SECRET, scopes: ["read_repository"] },
          { token: T.deployRegistry, username: "registry-bot", project: SECRET, scopes: ["read_registry"] },
        ],
      },
    });
  });

  afterAll(async () => {
    // Identities are recorded, secrets never (requestsLog alone keeps raw headers by design).
    const records = JSON.stringify([lab.gitRequests, lab.apiCalls]);
    for (const secret of [...Object.values(T), SERVER_TOKEN]) expect(records).not.toContain(secret);
    await lab?.close();
    await repos?.close();
  });

  /** `GET <project>.git/info/refs?service=git-upload-pack` with optional Basic credentials. */
  async function infoRefs(project: string, login?: string, password?: string) {
    const headers: Record<string, string> = login === undefined ? {} : { authorization: basic(login, password ?? "") };
    const res = await fetch(`${lab.url}/${project}.git/info/refs?service=git-upload-pack`, { headers });
    const body = await res.text();
    return {
      status: res.status,
      body,
      challenge: res.headers.get("www-authenticate"),
      type: res.headers.get("content-type"),
      identity: lab.gitRequests.at(-1)!.identity,
    };
  }

  async function api(path: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${lab.url}/api/v4/${path}`, { headers });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as Record<string, any>, identity: lab.apiCalls.at(-1)!.identity };
  }

  const project = (path: string) => `projects/${encodeProjectId(path)}`;

  it("git: a reader gets the ref advertisement; any login works with a personal token; read_api carries download_code", async () => {
    const ok = await infoRefs(SECRET, "anything", T.aliceRepo);
    expect(ok).toMatchObject({ status: 200, type: "application/x-git-upload-pack-advertisement", identity: "personal-access-token:alice" });
    expect(ok.body).toContain("# service=git-upload-pack");
    expect(ok.body).toContain("refs/heads/main");
    // abilities_for_scopes: read_api → read_only_authentication_abilities, download_code included.
    expect(await infoRefs(SECRET, "alice", T.aliceApi)).toMatchObject({ status: 200 });
    expect(await infoRefs(SECRET, "x", SERVER_TOKEN)).toMatchObject({ status: 200, identity: "personal-access-token:modgate-server" });
    expect(await infoRefs(SECRET, "oauth2", T.oauth)).toMatchObject({ status: 200, identity: "oauth:alice" });
  });

  it("git: 401 challenge without or with a rejected credential, 403 for a Guest or a token without download_code, 404 for a non-member", async () => {
    const unauthorised = { status: 401, challenge: 'Basic realm="GitLab"', body: GIT_MESSAGES.accessDenied };
    expect(await infoRefs(SECRET)).toMatchObject({ ...unauthorised, identity: "anonymous" });
    expect(await infoRefs("platform/nope")).toMatchObject(unauthorised);
    expect(await infoRefs(PUBLIC)).toMatchObject({ status: 200, identity: "anonymous" });
    expect(await infoRefs(PUBLIC, "x", "not-a-token")).toMatchObject({ ...unauthorised, identity: "rejected(unknown)" });
    expect(await infoRefs(SECRET, "alice", T.aliceRevoked)).toMatchObject({ ...unauthorised, identity: "rejected(revoked):personal-access-token" });
    expect(await infoRefs(SECRET, "alice", T.aliceExpired)).toMatchObject({ ...unauthorised, identity: "rejected(expired):personal-access-token" });
    expect(await infoRefs(SECRET, "gina", T.ginaApi)).toMatchObject({ status: 403, body: GIT_MESSAGES.download, identity: "personal-access-token:gina" });
    expect(await infoRefs(SECRET, "alice", T.aliceUser)).toMatchObject({ status: 403, body: GIT_MESSAGES.authDownload });
    expect(await infoRefs(SECRET, "bob", T.bobRepo)).toMatchObject({ status: 404, body: GIT_MESSAGES.projectNotFound });
    expect(await infoRefs("platform/nope", "bob", T.bobRepo)).toMatchObject({ status: 404 });
    // Internal: any signed-in user reads the code.
    expect(await infoRefs(INTERNAL, "bob", T.bobRepo)).toMatchObject({ status: 200 });
    expect(await infoRefs(INTERNAL)).toMatchObject({ status: 401 });
  });

  it("git: project and group access tokens read their own resource only (elsewhere GitLab does not authenticate them: 401)", async () => {
    expect(await infoRefs(SECRET, "bot", T.projectBot)).toMatchObject({ status: 200, identity: expect.stringMatching(/^project-access-token:project_/) });
    expect(await infoRefs(CI_APP, "bot", T.projectBot)).toMatchObject({ status: 401, identity: "rejected(no-access-to-project):project-access-token" });
    expect(await infoRefs(CI_APP, "bot", T.groupBot)).toMatchObject({ status: 200, identity: expect.stringMatching(/^group-access-token:group_ci_bot/) });
    expect(await infoRefs(CI_OTHER, "bot", T.groupBot)).toMatchObject({ status: 200 });
    expect(await infoRefs(SECRET, "bot", T.groupBot)).toMatchObject({ status: 401 });
    expect(await infoRefs(INTERNAL, "bot", T.projectBot)).toMatchObject({ status: 401 });
  });

  it("git: job tokens follow the target project allowlist and the job user role; only while the job runs", async () => {
    expect(await infoRefs(SECRET, "gitlab-ci-token", T.jobApp)).toMatchObject({ status: 200, identity: `job-token:alice@${CI_APP}` });
    expect(await infoRefs(CI_APP, "gitlab-ci-token", T.jobApp)).toMatchObject({ status: 200 });
    // ci/other is not on platform/secret's allowlist ("Limit access to this project" is on).
    expect(await infoRefs(SECRET, "gitlab-ci-token", T.jobOther)).toMatchObject({ status: 404, body: GIT_MESSAGES.projectNotFound });
    // ci/app's own allowlist is empty: a job of ci/other cannot read it, though alice can.
    expect(await infoRefs(CI_APP, "gitlab-ci-token", T.jobOther)).toMatchObject({ status: 404 });
    expect(await infoRefs(CI_OTHER, "gitlab-ci-token", T.jobOther)).toMatchObject({ status: 200 });
    expect(await infoRefs(SECRET, "gitlab-ci-token", T.jobGina)).toMatchObject({ status: 403, body: GIT_MESSAGES.download });
    expect(await infoRefs(SECRET, "gitlab-ci-token", T.jobDone)).toMatchObject({ status: 401, identity: "rejected(job-finished):job-token" });
    expect(await infoRefs(SECRET, "alice", T.jobApp)).toMatchObject({ status: 401 });
    expect(await infoRefs(PUBLIC, "gitlab-ci-token", T.jobOther)).toMatchObject({ status: 200 });
    // Turning "Limit access to this project" off lets every job in (the legacy setting).
    const other = STAND_IN_PROJECTS.find((p) => p.path === CI_OTHER)!;
    other.jobTokenScope = { limitAccess: false };
    try {
      expect(await infoRefs(CI_OTHER, "gitlab-ci-token", T.jobApp)).toMatchObject({ status: 200 });
    } finally {
      delete other.jobTokenScope;
    }
    expect(await infoRefs(CI_OTHER, "gitlab-ci-token", T.jobApp)).toMatchObject({ status: 404 });
  });

  it("git: deploy tokens need their own username, their project and read_repository", async () => {
    expect(await infoRefs(SECRET, DEPLOY_USER, T.deploy)).toMatchObject({ status: 200, identity: `deploy-token:${DEPLOY_USER}` });
    expect(await infoRefs(CI_APP, DEPLOY_USER, T.deploy)).toMatchObject({ status: 401, identity: "rejected(no-access-to-project):deploy-token" });
    expect(await infoRefs(SECRET, "someone", T.deploy)).toMatchObject({ status: 401, identity: "rejected(wrong-login):deploy-token" });
    expect(await infoRefs(SECRET, "registry-bot", T.deployRegistry)).toMatchObject({ status: 403, body: GIT_MESSAGES.authDownload });
  });

  it("git: a token revoked while the stand-in runs stops working on the next request; checks are countable by identity", async () => {
    const before = lab.gitRequests.length;
    expect(await infoRefs(SECRET, "alice", T.aliceSpare)).toMatchObject({ status: 200 });
    lab.access.revoke(T.aliceSpare);
    expect(await infoRefs(SECRET, "alice", T.aliceSpare)).toMatchObject({ status: 401, identity: "rejected(revoked):personal-access-token" });
    lab.access.revoke(T.jobGina);
    expect(await infoRefs(CI_APP, "gitlab-ci-token", T.jobGina)).toMatchObject({ status: 401 });
    lab.access.setRole("bob", SECRET, "developer");
    expect(await infoRefs(SECRET, "bob", T.bobRepo)).toMatchObject({ status: 200 });
    lab.access.setRole("bob", SECRET, undefined);
    expect(await infoRefs(SECRET, "bob", T.bobRepo)).toMatchObject({ status: 404 });
    const checks = lab.gitRequests.slice(before).filter((r) => r.service === "git-upload-pack");
    expect(checks.map((r) => [r.identity, r.status])).toEqual([
      ["personal-access-token:alice", 200],
      ["rejected(revoked):personal-access-token", 401],
      ["rejected(job-finished):job-token", 401],
      ["personal-access-token:bob", 200],
      ["personal-access-token:bob", 404],
    ]);
  });

  it("git and API: a token expires at 00:00 UTC of its expiry date on the stand-in clock", async () => {
    const tokens = lab.access.opts.personalAccessTokens!;
    tokens.push({ token: "glpat-alice-expiring", user: "alice", scopes: ["read_api"], expiresAt: "2030-06-01" });
    try {
      lab.access.opts.now = () => Date.parse("2030-05-31T23:59:59Z");
      expect(await infoRefs(SECRET, "alice", "glpat-alice-expiring")).toMatchObject({ status: 200 });
      lab.access.opts.now = () => Date.parse("2030-06-01T00:00:00Z");
      expect(await infoRefs(SECRET, "alice", "glpat-alice-expiring")).toMatchObject({ status: 401, identity: "rejected(expired):personal-access-token" });
      expect(await api(project(SECRET), { "PRIVATE-TOKEN": "glpat-alice-expiring" })).toMatchObject({ status: 401, body: { error: "invalid_token" } });
    } finally {
      delete lab.access.opts.now;
      tokens.pop();
    }
  });

  it("git: a real clone works with a job token and fails without one", async () => {
    const dir = await makeTempDir("clone");
    try {
      const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
      const url = lab.url.replace("http://", `http://gitlab-ci-token:${T.jobApp}@`);
      expect((await run(toolPath("git"), ["clone", "-q", `${url}/${SECRET}.git`, join(dir, "a")], { env })).code).toBe(0);
      expect((await run(toolPath("git"), ["clone", "-q", `${lab.url}/${SECRET}.git`, join(dir, "b")], { env })).code).not.toBe(0);
    } finally {
      await removeDir(dir);
    }
  });

  it("API: visibility and role decide; Guest sees the project but not its code; scopes are checked", async () => {
    const alice = await api(project(SECRET), { "PRIVATE-TOKEN": T.aliceApi });
    expect(alice).toMatchObject({ status: 200, identity: "personal-access-token:alice" });
    expect(alice.body.permissions).toEqual({ project_access: { access_level: 20, notification_level: 3 }, group_access: null });
    expect(await api(`${project(SECRET)}/repository/tree`, { "PRIVATE-TOKEN": T.aliceApi })).toMatchObject({ status: 200 });
    expect(await api(`${project(SECRET)}/repository/tree`, { authorization: `Bearer ${T.oauth}` })).toMatchObject({ status: 200, identity: "oauth:alice" });
    const server = await api(project(SECRET), { "PRIVATE-TOKEN": SERVER_TOKEN });
    expect(server.body.permissions).toEqual({ project_access: null, group_access: null });

    const gina = { "PRIVATE-TOKEN": T.ginaApi };
    expect(await api(project(SECRET), gina)).toMatchObject({ status: 200 });
    expect(await api(`${project(SECRET)}/repository/tree`, gina)).toMatchObject({ status: 403, body: { message: "403 Forbidden" } });
    expect(await api(project(SECRET), { "PRIVATE-TOKEN": T.bobRepo })).toMatchObject({ status: 404, body: { message: "404 Project Not Found" } });
    expect(await api(project(INTERNAL), { "PRIVATE-TOKEN": T.bobRepo })).toMatchObject({ status: 200 });
    expect(await api(project(INTERNAL))).toMatchObject({ status: 404, identity: "anonymous" });

    // read_repository is no API scope, except for the files API.
    expect(await api(project(SECRET), { "PRIVATE-TOKEN": T.aliceRepo })).toMatchObject({
      status: 403,
      body: { error: "insufficient_scope", scope: "api read_api" },
    });
    const raw = await fetch(`${lab.url}/api/v4/${project(SECRET)}/repository/files/go.mod/raw?ref=main`, { headers: { "PRIVATE-TOKEN": T.aliceRepo } });
    expect([raw.status, await raw.text()]).toEqual([200, `module go.example.com/${SECRET}\n`]);
  });

  it("API: 401 for unknown, revoked and expired tokens and for deploy tokens; JOB-TOKEN is ignored where GitLab does not take it", async () => {
    expect(await api(project(PUBLIC), { "PRIVATE-TOKEN": "nope" })).toMatchObject({ status: 401, body: { message: "401 Unauthorized" } });
    expect(await api(project(SECRET), { "PRIVATE-TOKEN": T.aliceRevoked })).toMatchObject({
      status: 401,
      body: { error: "invalid_token", error_description: "Token was revoked. You have to re-authorize from the user." },
    });
    expect(await api(project(SECRET), { authorization: `Bearer ${T.aliceExpired}` })).toMatchObject({
      status: 401,
      body: { error: "invalid_token" },
      identity: "rejected(expired):personal-access-token",
    });
    expect(await api(project(SECRET), { "PRIVATE-TOKEN": T.deploy })).toMatchObject({ status: 401 });
    expect(await api(project(SECRET), { "JOB-TOKEN": T.jobApp })).toMatchObject({ status: 404, identity: "anonymous" });
    // With the endpoint on the job token allowlist (fine-grained permissions), the job user's role counts.
    lab.access.opts.jobTokenApiEndpoints = ["project"];
    try {
      expect(await api(project(SECRET), { "JOB-TOKEN": T.jobApp })).toMatchObject({ status: 200, identity: `job-token:alice@${CI_APP}` });
      expect(await api(project(SECRET), { "JOB-TOKEN": T.jobOther })).toMatchObject({ status: 404 });
    } finally {
      lab.access.opts.jobTokenApiEndpoints = [];
    }
  });

  it("API: private groups are visible to their members and members of what they hold", async () => {
    expect(await api(`groups/platform`, { "PRIVATE-TOKEN": T.ginaApi })).toMatchObject({ status: 200 });
    expect(await api(`groups/platform`, { "PRIVATE-TOKEN": T.bobRepo })).toMatchObject({ status: 200 }); // public: holds a public project
    expect(await api(`groups/ci`, { "PRIVATE-TOKEN": T.bobRepo })).toMatchObject({ status: 404, body: { message: "404 Group Not Found" } });
    expect(await api(`groups/ci`, { "PRIVATE-TOKEN": T.aliceApi })).toMatchObject({ status: 200 });
  });
});

/** A file-backed module proxy recording the Authorization header of every request. */
async function startFileProxy(root: string) {
  const seen: { path: string; authorization: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    seen.push({ path, authorization: req.headers.authorization });
    if (path.split("/").includes("..")) return void res.writeHead(400).end();
    readFile(join(root, path)).then(
      (body) => res.writeHead(200).end(body),
      () => res.writeHead(404, { "content-type": "text/plain" }).end("not found\n"),
    );
  });
  const port = await listenLoopback(server);
  return { url: `http://${LOOPBACK}:${port}`, seen, close: () => closeServer(server) };
}

const MODULE = "go.example.com/triv";
const NETRC = { machine: "go.example.com", login: "gitlab-ci-token", password: "netrc-secret-job-token" };

async function writeModule(root: string): Promise<void> {
  const mod = `module ${MODULE}\n\ngo 1.21\n`;
  const files: Record<string, string | Uint8Array> = {
    [`${MODULE}/@v/list`]: "v1.0.0\n",
    [`${MODULE}/@v/v1.0.0.info`]: JSON.stringify({ Version: "v1.0.0", Time: "2024-01-02T03:04:05Z" }),
    [`${MODULE}/@v/v1.0.0.mod`]: mod,
    [`${MODULE}/@v/v1.0.0.zip`]: zipSync({
      [`${MODULE}@v1.0.0/go.mod`]: new TextEncoder().encode(mod),
      [`${MODULE}@v1.0.0/triv.go`]: new TextEncoder().encode("package triv\n"),
    }),
  };
  for (const [path, body] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), body);
  }
}

describe.skipIf(!requireTools("go", "openssl"))("https front: the go command, CONNECT, TLS terminator and .netrc", () => {
  let root: string;
  let backend: Awaited<ReturnType<typeof startFileProxy>>;
  let front: HttpsFront;
  let plainProxy: ForwardProxy;
  let gitless: GitlessPath;
  const envs: GoEnv[] = [];

  beforeAll(async () => {
    root = await makeTempDir("fileproxy");
    await writeModule(root);
    backend = await startFileProxy(root);
    front = await startHttpsFront({ upstream: backend.url });
    plainProxy = await startForwardProxy({ upstreams: { "go.example.com": backend.url } });
    gitless = await pathWithoutGit();
  });

  afterAll(async () => {
    for (const env of envs) await env.close();
    await gitless?.close();
    await plainProxy?.close();
    await front?.close();
    await backend?.close();
    await removeDir(root);
  });

  async function goWithNetrc(extra: Record<string, string>): Promise<GoEnv> {
    const env = await createGoEnv({ env: { PATH: gitless.PATH, GOSUMDB: "off", GOFLAGS: "-modcacherw", ...extra } });
    envs.push(env);
    await writeNetrc(env.home, NETRC);
    return env;
  }

  it("has no git on the PATH it gives the go command", async () => {
    const env = await goWithNetrc({});
    expect((await run("/bin/sh", ["-c", "command -v git"], { env: env.env })).code).not.toBe(0);
    expect((await run("/bin/sh", ["-c", "command -v go"], { env: env.env })).code).toBe(0);
  });

  it("over https the .netrc credential reaches the backend, through CONNECT go.example.com:443 and the terminator", async () => {
    const env = await goWithNetrc({ ...front.goEnv(), GOPROXY: "https://go.example.com" });
    const before = backend.seen.length;
    const result = await env.goModDownload(`${MODULE}@v1.0.0`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.info).toMatchObject({ Version: "v1.0.0" });
    const seen = backend.seen.slice(before);
    expect(seen.map((s) => s.path)).toEqual(expect.arrayContaining([`/${MODULE}/@v/v1.0.0.info`, `/${MODULE}/@v/v1.0.0.zip`]));
    for (const s of seen) expect(s.authorization).toBe(basic(NETRC.login, NETRC.password));
    expect(front.forwardProxy.requests.filter((r) => r.method === "CONNECT").map((r) => [r.host, r.upstream])).toContainEqual([
      "go.example.com:443",
      front.terminator.address,
    ]);
    expect(front.terminator.requests.at(-1)).toMatchObject({ host: "go.example.com", authorization: { scheme: "Basic", login: NETRC.login } });
    expect(JSON.stringify(front.terminator.requests)).not.toContain(NETRC.password);
  });

  it("over plain http the go command does not send the .netrc credential", async () => {
    const env = await goWithNetrc({ HTTP_PROXY: plainProxy.url, HTTPS_PROXY: plainProxy.url, GOPROXY: "http://go.example.com" });
    const before = backend.seen.length;
    const result = await env.goModDownload(`${MODULE}@v1.0.0`);
    expect(result.code, result.stderr).toBe(0);
    const seen = backend.seen.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) expect(s.authorization).toBeUndefined();
  });
});
