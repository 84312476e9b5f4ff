// Issue 9: one anonymous browser request for a project whose default branch
// is named in UTF-8 ("功能") made node:http throw on the raw Location and
// killed `modgate serve`. Against the built CLI and the GitLab stand-in: the
// answer is a 302 with an ASCII, percent-encoded Location, and the process
// is still healthy afterwards.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest, makeTempDir, removeDir, startGitLabStandIn, startModgateNode, type GitLabStandIn, type RunningModgate } from "./harness/index.js";
import { goSources } from "../contract/meta.js";
import { discoveryConfig, HOST, randomToken } from "../contract/discovery-fixtures.js";

/** Internal projects: anonymous browsers go to GitLab's tree, where the branch is in the URL. */
const PROJECTS = [
  { path: "platform/oss/unicode", branch: "功能", encoded: "%E5%8A%9F%E8%83%BD" },
  { path: "platform/oss/latin", branch: "é", encoded: "%C3%A9" },
  { path: "platform/oss/hash", branch: "a#b", encoded: "a%23b" },
  { path: "platform/oss/percent", branch: "100%", encoded: "100%25" },
  { path: "platform/oss/nested", branch: "feature/x", encoded: "feature/x" },
];

const token = randomToken();
let dir: string;
let lab: GitLabStandIn;
let modgate: RunningModgate;

beforeAll(async () => {
  dir = await makeTempDir("ref-names");
  lab = await startGitLabStandIn({
    root: dir,
    token,
    projects: PROJECTS.map((p) => ({ path: p.path, visibility: "internal" as const, defaultBranch: p.branch })),
  });
  const configPath = join(dir, "modgate.yaml");
  await writeFile(configPath, discoveryConfig({ gitlabUrl: lab.url }));
  modgate = await startModgateNode(configPath, { GITLAB_TOKEN: token, MODGATE_LOG: "off" });
});

afterAll(async () => {
  await modgate?.close();
  await lab?.close();
  if (dir) await removeDir(dir);
});

describe("default branches that are no plain ASCII name", () => {
  it.each(PROJECTS)("$branch: a browser gets a 302 to the encoded tree, and modgate lives on", async ({ path, encoded }) => {
    const below = path.slice("platform/oss/".length);
    const res = await httpRequest(modgate.url, { path: `/oss/${below}/cmd/tool`, host: HOST });
    expect(res.status, res.body.toString()).toBe(302);
    expect(res.headers.location).toBe(`${lab.url}/${path}/-/tree/${encoded}/cmd/tool`);

    const page = await httpRequest(modgate.url, { path: `/oss/${below}/cmd/tool?go-get=1`, host: HOST });
    expect(page.status).toBe(200);
    expect(goSources(page.body.toString())).toEqual([
      `${HOST}/oss/${below} ${lab.url}/${path} ${lab.url}/${path}/-/tree/${encoded}{/dir} ${lab.url}/${path}/-/blob/${encoded}{/dir}/{file}#L{line}`,
    ]);

    const health = await httpRequest(modgate.url, { path: "/-/healthz", host: HOST });
    expect(health.status).toBe(200);
    expect(modgate.child.exitCode).toBeNull();
    expect(modgate.output()).not.toMatch(/internal error|ERR_INVALID_CHAR/);
  });
});
