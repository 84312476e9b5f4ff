/**
 * End-to-end harness for modgate: real git, real sshd, real go command, no mocks.
 *
 * How the pieces fit:
 *
 *   go command ──HTTP_PROXY/HTTPS_PROXY──▶ forward-proxy ──(Host: go.example.com)──▶ modgate
 *        │                                 (CONNECT refused → go falls back to http,
 *        │                                  because GOINSECURE lists the vanity host)
 *        │ git (NO_PROXY=127.0.0.1) following the go-import tag modgate answered with
 *        ├──▶ git-http: git http-backend as CGI ─┐
 *        └──▶ sshd + ssh-git-shell.mjs ──────────┴─▶ bare repos from git-repos, <root>/group/sub/p.git
 *
 * - tools.ts      finds go, git, sshd, ...; requireTools() skips locally, fails when CI=true.
 * - git-repos.ts  builds bare repositories at GitLab-like nested paths from files and tags.
 * - git-http.ts   serves them over git smart HTTP (http://127.0.0.1:PORT[/prefix]/group/p.git).
 * - gitlab-stand-in.ts  GitLab REST API v4 (projects/groups by id or encoded path, as GitLab
 *                  answers them) plus git smart HTTP for the same repos at http://127.0.0.1:PORT/group/p.git.
 *   gitlab-repository-api.ts  its /projects/:id/repository/* endpoints (tags, branches, commits,
 *                  refs, merge_base, tree, raw blobs/files, archive.zip), read with git (git-read.ts),
 *                  paginated as GitLab paginates (gitlab-pagination.ts).
 * - fixture-repo.ts  richer histories: annotated tags, branches, time zones, symlinks, gitlinks.
 * - proxy-fixtures.ts  the module proxy conformance fixtures and what go says about each.
 * - go-direct.ts  the GOPROXY=direct oracle over those fixtures (go mod download / list).
 * - sshd.ts       serves them over ssh (ssh://USER@127.0.0.1:PORT/group/p.git), upload-pack only.
 * - forward-proxy.ts  routes vanity hosts to modgate (or any stub) and records what go asked;
 *                  CONNECT to a mapped `host:443` is tunnelled (to tls.ts's terminator).
 * - gitlab-access.ts  the stand-in's access model: users, roles, every GitLab token kind.
 * - tls.ts        throwaway CA + certificate, TLS terminator, https front (go → https://go.example.com
 *                  through the forward proxy), .netrc writer, a PATH with go and no git.
 * - go-env.ts     runs the go command with private HOME/GOPATH/GOMODCACHE, GOPROXY=direct.
 * - response-tap.ts  a reverse proxy in front of modgate recording every response it sent.
 * - exec.ts, net.ts, tmp.ts, git-env.ts: process, port, temp-dir and git-isolation plumbing.
 *
 * Every server listens on an ephemeral loopback port and every piece has close(); close them
 * in afterAll. A typical test: createRepoRoot → makeRepo → startGitHttpServer/startSshGitServer
 * → start modgate configured with those URLs → startForwardProxy({ defaultUpstream: modgate })
 * → createGoEnv({ proxyUrl, insecure: ['go.example.com'] }) → goModDownload / goGetAndRun.
 */
export { run, runOk, type RunOptions, type RunResult } from "./exec.js";
export { isolatedGitEnv } from "./git-env.js";
export { addCommit, createRepoRoot, goMod, makeRepo, moveTag, type BareRepo, type CommitSpec, type RepoRoot, type RepoSpec } from "./git-repos.js";
export { serveGitHttpBackend, startGitHttpServer, type GitHttpOptions, type GitHttpRequest, type GitHttpServer } from "./git-http.js";
export {
  encodeProjectId,
  startGitLabStandIn,
  type GitLabApiCall,
  type GitLabEndpoint,
  type GitLabStatusFault,
  type GitLabGitRequest,
  type GitLabStandIn,
  type GitLabStandInMode,
  type GitLabStandInOptions,
  type GitLabVisibility,
  type StandInProject,
} from "./gitlab-stand-in.js";
export {
  answerRepositoryApi,
  archivePrefix,
  parseRepositoryRoute,
  type ApiAnswer,
  type RepositoryEndpoint,
  type RepositoryFeatures,
  type RepositoryProject,
  type RepositoryRoute,
} from "./gitlab-repository-api.js";
export {
  buildFixtureRepo,
  buildLongHistoryRepo,
  gitDate,
  type BuiltRepo,
  type FixtureCommit,
  type FixtureFile,
  type FixtureHistory,
  type FixtureTag,
} from "./fixture-repo.js";
export {
  FIXTURE_HOST,
  fixtureProject,
  fixtureRoot,
  fixtureRules,
  PROXY_FIXTURES,
  queryText,
  startFixtureLab,
  type FixtureLab,
  type FixtureModule,
  type FixtureQuery,
  type FixtureQueryText,
  type ProxyFixture,
} from "./proxy-fixtures.js";
export {
  directConfig,
  startDirectOracle,
  type DirectDownload,
  type DirectLatest,
  type DirectOracle,
  type DirectOracleOptions,
  type DirectVersions,
} from "./go-direct.js";
export {
  ACCESS_LEVELS,
  GIT_MESSAGES,
  GitLabAccess,
  identityOf,
  type AccessProject,
  type Actor,
  type Authentication,
  type DeployTokenSpec,
  type GitLabAccessOptions,
  type GitLabRole,
  type JobTokenScopeSpec,
  type JobTokenSpec,
  type OAuthTokenSpec,
  type PersonalAccessTokenSpec,
  type ResourceAccessTokenSpec,
  type StandInUser,
  type TokenScope,
} from "./gitlab-access.js";
export {
  createGoEnv,
  DEFAULT_GO_CACHE,
  type GoEnv,
  type GoEnvOptions,
  type GoGetAndRunOptions,
  type GoGetAndRunResult,
  type GoModDownloadInfo,
} from "./go-env.js";
export { startForwardProxy, type ForwardProxy, type ProxiedRequest, type ProxyOptions } from "./forward-proxy.js";
export { closeServer, freeLoopbackPort, listenLoopback, LOOPBACK } from "./net.js";
export { startSshGitServer, type SshdOptions, type SshGitServer } from "./sshd.js";
export { makeTempDir, removeDir } from "./tmp.js";
export { requireTool, requireTools, toolPath, type ToolName } from "./tools.js";
export { httpRequest, type RawResponse } from "./http-request.js";
export { startModgateNode, startModgateWorker, REPO_ROOT, type RunningModgate } from "./modgate.js";
export {
  createTestCertificates,
  describeAuthorization,
  goTlsEnv,
  pathWithoutGit,
  startHttpsFront,
  startTlsTerminator,
  writeNetrc,
  type GitlessPath,
  type GitlessPathOptions,
  type HttpsFront,
  type HttpsFrontOptions,
  type NetrcEntry,
  type TerminatedRequest,
  type TestCertificates,
  type TlsTerminator,
  type TlsTerminatorOptions,
} from "./tls.js";
export { startResponseTap, type ResponseTap, type TappedResponse } from "./response-tap.js";
