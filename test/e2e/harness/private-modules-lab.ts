// The GitLab of the private-module scenarios (issue 11, and issue 12 on the
// Worker): a private module with a job token allowlist, an internal one served
// through go-import `mod`, a public one, two CI projects, and one credential of
// every kind GitLab has, each reaching exactly what GitLab lets it read.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRepoRoot, makeRepo, type RepoRoot } from "./git-repos.js";
import { startGitLabStandIn, type GitLabStandIn, type GitLabStandInOptions } from "./gitlab-stand-in.js";

export const PRIVATE_HOST = "go.example.com";
export const PRIVATE_PROJECTS = {
  lib: "platform/team/lib",
  viamod: "platform/team/viamod",
  pub: "platform/pub",
  ciApp: "ci/app",
  ciOther: "ci/other",
} as const;

/** Every client secret, so output can be searched for them. */
export const CLIENT_TOKENS = {
  alice: "glpat-alice-reader-0001",
  gina: "glpat-gina-guest-0002",
  bob: "glpat-bob-outsider-0003",
  revocable: "glpat-alice-revocable-0004",
  jobApp: "job-token-ci-app-0005",
  jobOther: "job-token-ci-other-0006",
  deploy: "gldt-deploy-lib-0007",
} as const;
export const DEPLOY_USER = "gitlab+deploy-token-1";

export interface PrivateModulesLab {
  lab: GitLabStandIn;
  repos: RepoRoot;
  /**
   * Writes modgate's config to `dir`/modgate.yaml: `token` as written (the Worker needs a
   * `${NAME}` reference, its secret), `proxyExtra` appended under `proxy:`.
   */
  writeConfig(dir: string, token: string, authTtl: number, proxyExtra?: string): Promise<string>;
  close(): Promise<void>;
}

const mod = (path: string) => `module ${path}\n\ngo 1.21\n`;

/** `standIn`: more options for the GitLab stand-in (its git auth ban, say). */
export async function startPrivateModulesLab(serverToken: string, standIn: Pick<GitLabStandInOptions, "gitBasicAuthBan"> = {}): Promise<PrivateModulesLab> {
  const H = PRIVATE_HOST;
  const P = PRIVATE_PROJECTS;
  const T = CLIENT_TOKENS;
  const repos = await createRepoRoot();
  await makeRepo(repos.dir, P.lib, { files: { "go.mod": mod(`${H}/team/lib`), "lib.go": 'package lib\n\nconst Name = "lib"\n' }, tags: ["v1.0.0"] });
  await makeRepo(repos.dir, P.viamod, { files: { "go.mod": mod(`${H}/team/viamod`), "v.go": 'package viamod\n\nconst Name = "viamod"\n' }, tags: ["v0.1.0"] });
  await makeRepo(repos.dir, P.pub, { files: { "go.mod": mod(`${H}/pub`), "p.go": "package pub\n" }, tags: ["v1.2.0"] });
  for (const p of [P.ciApp, P.ciOther]) await makeRepo(repos.dir, p, { files: { "go.mod": mod(`example.com/${p}`) } });
  const lab = await startGitLabStandIn({
    ...standIn,
    root: repos.dir,
    token: serverToken,
    projects: [
      { path: P.lib, visibility: "private", jobTokenScope: { allowlist: [P.ciApp] } },
      { path: P.viamod, visibility: "internal" },
      { path: P.pub, visibility: "public" },
      { path: P.ciApp, visibility: "private" },
      { path: P.ciOther, visibility: "private" },
    ],
    access: {
      users: [
        { username: "alice", memberships: { platform: "developer", ci: "developer" } },
        { username: "gina", memberships: { [P.lib]: "guest" } },
        { username: "bob" },
      ],
      personalAccessTokens: [
        { token: T.alice, user: "alice", scopes: ["read_repository"] },
        { token: T.revocable, user: "alice", scopes: ["read_repository"] },
        { token: T.gina, user: "gina", scopes: ["read_repository", "read_api"] },
        { token: T.bob, user: "bob", scopes: ["read_repository"] },
      ],
      jobTokens: [
        { token: T.jobApp, project: P.ciApp, user: "alice" },
        { token: T.jobOther, project: P.ciOther, user: "alice" },
      ],
      deployTokens: [{ token: T.deploy, username: DEPLOY_USER, project: P.lib, scopes: ["read_repository"] }],
    },
  });
  return {
    lab,
    repos,
    async writeConfig(dir, token, authTtl, proxyExtra = "") {
      const path = join(dir, "modgate.yaml");
      await writeFile(
        path,
        [
          "gitlab:",
          `  url: ${lab.url}`,
          `  token: ${token}`,
          "proxy:",
          "  enabled: true",
          `  authTtl: ${authTtl}`,
          proxyExtra,
          "modules:",
          `  - path: ${H}/team/lib`,
          `    project: ${P.lib}`,
          "    private: true",
          `  - path: ${H}/team/viamod`,
          `    project: ${P.viamod}`,
          "    transport: proxy",
          `  - path: ${H}/pub`,
          `    project: ${P.pub}`,
          "",
        ]
          .filter((line) => line !== "")
          .join("\n") + "\n",
      );
      return path;
    },
    async close() {
      await lab.close();
      await repos.close();
    },
  };
}
