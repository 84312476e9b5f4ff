// The module proxy's HTTP contract as a table (issue 10), against `modgate serve` on Node with the
// GitLab stand-in behind it. The contract tables in test/contract drive the app without GitLab;
// the proxy needs a GitLab that answers the repository API, so its table runs here, end to end.
//
// Every expected value is written out by hand from the fixtures below and the GOPROXY protocol
// (docs/go-rules.md §1): status, Content-Type per endpoint, Cache-Control (immutable for a
// canonical version's .info/.mod/.zip, max-age=listTtl for what can change), `!`-escaping.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addCommit,
  createRepoRoot,
  goMod,
  httpRequest,
  makeRepo,
  makeTempDir,
  removeDir,
  requireTools,
  run,
  startGitLabStandIn,
  startModgateNode,
  REPO_ROOT,
  type GitLabStandIn,
  type RawResponse,
  type RepoRoot,
  type RunningModgate,
} from "./harness/index.js";

const HOST = "go.example.com";
const TOKEN = "glpat-proxy-http-table-token";
const LIST_TTL = 42;

const TEXT = "text/plain; charset=utf-8";
const JSON_TYPE = "application/json";
const ZIP = "application/zip";
const IMMUTABLE = "public, max-age=31536000, immutable";
const LISTED = `public, max-age=${LIST_TTL}`;

const TOOLS_MOD = goMod(`${HOST}/tools`);
const UPPER_MOD = goMod(`${HOST}/Upper`);
/** The head of main: one commit after v1.0.0. */
const PSEUDO = /^\{"Version":"v1\.0\.1-0\.20240102030605-[0-9a-f]{12}","Time":"2024-01-02T03:06:05Z",/;

interface Case {
  name: string;
  path: string;
  status: number;
  type?: string;
  cache?: string;
  /** Exact body, or a pattern it must match. */
  body?: string | RegExp;
  /** The answer must not need GitLab: no API call while it is answered. */
  noGitlab?: boolean;
}

const ok = (name: string, path: string, type: string, cache: string, body?: string | RegExp): Case => ({
  name,
  path,
  status: 200,
  type,
  cache,
  ...(body === undefined ? {} : { body }),
});
const bad = (name: string, path: string, body: RegExp): Case => ({ name, path, status: 400, type: TEXT, body, noGitlab: true });

const CASES: Case[] = [
  ok("list", `/${HOST}/tools/@v/list`, TEXT, LISTED, /^(v1\.0\.0\nv1\.0\.0-RC1\n|v1\.0\.0-RC1\nv1\.0\.0\n)$/),
  ok("info of a tag", `/${HOST}/tools/@v/v1.0.0.info`, JSON_TYPE, IMMUTABLE, /^\{"Version":"v1\.0\.0","Time":"2024-01-02T03:05:05Z",/),
  ok("mod", `/${HOST}/tools/@v/v1.0.0.mod`, TEXT, IMMUTABLE, TOOLS_MOD),
  ok("zip", `/${HOST}/tools/@v/v1.0.0.zip`, ZIP, IMMUTABLE),
  ok("@latest (the default branch head, as direct mode converts it)", `/${HOST}/tools/@latest`, JSON_TYPE, LISTED, PSEUDO),
  ok("info of a branch (a query: may change)", `/${HOST}/tools/@v/main.info`, JSON_TYPE, LISTED, PSEUDO),
  ok(
    "!-escaped version v1.0.0-!r!c1 is v1.0.0-RC1",
    `/${HOST}/tools/@v/v1.0.0-!r!c1.info`,
    JSON_TYPE,
    IMMUTABLE,
    /^\{"Version":"v1\.0\.0-RC1","Time":"2024-01-02T03:04:05Z",/,
  ),
  ok("!-escaped version .mod", `/${HOST}/tools/@v/v1.0.0-!r!c1.mod`, TEXT, IMMUTABLE, TOOLS_MOD),
  ok("!-escaped module element !upper is Upper: list", `/${HOST}/!upper/@v/list`, TEXT, LISTED, "v1.0.0\n"),
  ok("!-escaped module element: mod", `/${HOST}/!upper/@v/v1.0.0.mod`, TEXT, IMMUTABLE, UPPER_MOD),
  ok("!-escaped module element: zip", `/${HOST}/!upper/@v/v1.0.0.zip`, ZIP, IMMUTABLE),
  bad("an upper-case letter not escaped in the module path", `/${HOST}/Upper/@v/list`, /^bad request: .+\n$/),
  bad("an upper-case letter not escaped in the version", `/${HOST}/tools/@v/v1.0.0-RC1.info`, /^bad request: .+\n$/),
  bad("a trailing ! in the module path", `/${HOST}/tools!/@v/list`, /^bad request: .+\n$/),
  bad("a trailing ! in the version", `/${HOST}/tools/@v/v1.0.0!.info`, /^bad request: .+\n$/),
  bad("an unknown @v file", `/${HOST}/tools/@v/v1.0.0.tar`, /^bad request: .+\n$/),
  // No credential on a non-public project: 401 with a challenge (issue 11), never its content, never 404.
  {
    name: "a private project without a credential: 401, never its content",
    path: `/${HOST}/secret/@v/v1.0.0.zip`,
    status: 401,
    type: TEXT,
    body: /^go\.example\.com\/secret: a private module: send a GitLab token.*\n$/,
  },
  {
    name: "a private project list without a credential: 401",
    path: `/${HOST}/secret/@v/list`,
    status: 401,
    type: TEXT,
    body: /a private module: send a GitLab token/,
  },
  {
    name: "an internal project without a credential: 401",
    path: `/${HOST}/inner/@v/v1.0.0.info`,
    status: 401,
    type: TEXT,
    body: /^go\.example\.com\/inner: a private module: send a GitLab token.*\n$/,
  },
  {
    name: "an internal project .mod without a credential: 401",
    path: `/${HOST}/inner/@v/v1.0.0.mod`,
    status: 401,
    type: TEXT,
    body: /a private module: send a GitLab token/,
  },
  {
    name: "a repo: rule: 404 without GitLab",
    path: `/${HOST}/ext/@v/list`,
    status: 404,
    type: TEXT,
    body: /^not found: go\.example\.com\/ext is not a GitLab project.*\n$/,
    noGitlab: true,
  },
  {
    name: "a path no rule covers: 404 without GitLab",
    path: `/${HOST}/nothing/@v/list`,
    status: 404,
    type: TEXT,
    body: /^not found: no module is configured for go\.example\.com\/nothing\n$/,
    noGitlab: true,
  },
  {
    name: "an unknown host: 404 without GitLab",
    path: "/example.org/x/@v/v1.0.0.info",
    status: 404,
    type: TEXT,
    body: "not found: example.org/x: no modules are served for example.org\n",
    noGitlab: true,
  },
  { name: "an unknown host @latest: 404 without GitLab", path: "/example.org/x/@latest", status: 404, type: TEXT, noGitlab: true },
  { name: "/sumdb/: 404 without GitLab", path: "/sumdb/sum.golang.org/supported", status: 404, type: TEXT, noGitlab: true },
  {
    name: "an unknown version: 404 with the go command’s words",
    path: `/${HOST}/tools/@v/v9.9.9.info`,
    status: 404,
    type: TEXT,
    body: /^not found: .*unknown revision v9\.9\.9.*\n$/,
  },
  { name: ".mod of a non-canonical version: 404", path: `/${HOST}/tools/@v/main.mod`, status: 404, type: TEXT },
  // No file name holds these (255 bytes): 404 "invalid version" at once, never a 500 with the store's error.
  {
    name: "a 300-character version: 404 without GitLab",
    path: `/${HOST}/tools/@v/v1.0.0-${"a".repeat(293)}.info`,
    status: 404,
    type: TEXT,
    body: /^not found: go\.example\.com\/tools@v1\.0\.0-a+…: invalid version: version too long \(300 bytes escaped; at most 247\)\n$/,
    noGitlab: true,
  },
  {
    name: "a 248-byte escaped version (.ziphash would not fit): 404",
    path: `/${HOST}/tools/@v/v1.0.0-${"!a".repeat(121)}.zip`,
    status: 404,
    type: TEXT,
    body: /invalid version: version too long \(249 bytes escaped/,
    noGitlab: true,
  },
  {
    name: "a 256-byte module path element: 404 without GitLab",
    path: `/${HOST}/tools/${"b".repeat(256)}/@v/list`,
    status: 404,
    type: TEXT,
    body: /^not found: module .*: malformed module path: path element longer than 255 bytes\n$/,
    noGitlab: true,
  },
];

/** Resolves once the stand-in has had no API call for 300 ms. */
async function gitlabQuiet(lab: GitLabStandIn): Promise<void> {
  for (let seen = -1; seen !== lab.apiCalls.length;) {
    seen = lab.apiCalls.length;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Headers that differ between two answers by design. */
const VOLATILE = new Set(["date", "connection", "keep-alive", "transfer-encoding"]);

function stable(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !VOLATILE.has(k)));
}

describe.skipIf(!requireTools("git"))("module proxy HTTP contract (modgate serve)", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let modgate: RunningModgate;
  let dir: string;

  beforeAll(async () => {
    repos = await createRepoRoot();
    // Commits at 03:04:05, 03:05:05, 03:06:05 (git-repos.ts); the head of main is untagged.
    const tools = await makeRepo(repos.dir, "platform/tools", { files: { "go.mod": TOOLS_MOD, "a.go": "package tools\n" }, tags: ["v1.0.0-RC1"] });
    await addCommit(tools, { files: { "b.go": "package tools\n\nconst B = 1\n" }, tags: ["v1.0.0"] });
    await addCommit(tools, { files: { "c.go": "package tools\n\nconst C = 1\n" } });
    await makeRepo(repos.dir, "platform/upper", { files: { "go.mod": UPPER_MOD, "u.go": "package upper\n" }, tags: ["v1.0.0"] });
    for (const p of ["secret", "inner"]) {
      await makeRepo(repos.dir, `platform/${p}`, { files: { "go.mod": goMod(`${HOST}/${p}`), "SECRET.go": "package x // the content\n" }, tags: ["v1.0.0"] });
    }
    lab = await startGitLabStandIn({
      root: repos.dir,
      token: TOKEN,
      projects: [
        { path: "platform/tools", visibility: "public" },
        { path: "platform/upper", visibility: "public" },
        { path: "platform/secret", visibility: "private" },
        { path: "platform/inner", visibility: "internal" },
      ],
    });
    dir = await makeTempDir("proxy-http");
    const config = join(dir, "modgate.yaml");
    await writeFile(
      config,
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\nproxy:\n  enabled: true\n  listTtl: ${LIST_TTL}\n  cacheDir: ${join(dir, "store")}\nmodules:\n` +
        `  - path: ${HOST}/tools\n    project: platform/tools\n` +
        `  - path: ${HOST}/Upper\n    project: platform/upper\n` +
        `  - path: ${HOST}/secret\n    project: platform/secret\n` +
        `  - path: ${HOST}/inner\n    project: platform/inner\n` +
        `  - path: ${HOST}/ext\n    repo: https://github.com/acme/ext\n`,
    );
    modgate = await startModgateNode(config);
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), lab?.close()]);
    await Promise.allSettled([repos?.close(), dir && removeDir(dir)]);
  });

  const context = () => `\nmodgate:\n${modgate.output().slice(-2000)}`;

  it("has uniquely named cases", () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it(`GET ${c.name}: ${c.path} → ${c.status}`, async () => {
      // A cold .info starts its version's zip build (it goes on after the answer): wait until
      // GitLab has been quiet, so the calls counted are this answer's.
      if (c.noGitlab) await gitlabQuiet(lab);
      const callsBefore = lab.apiCalls.length;
      const r = await httpRequest(modgate.url, { path: c.path });
      if (c.noGitlab) expect(lab.apiCalls.slice(callsBefore).map((a) => a.path)).toEqual([]);
      expect(r.status, r.body.toString().slice(0, 500) + context()).toBe(c.status);
      if (c.type !== undefined) expect(r.headers["content-type"]).toBe(c.type);
      if (c.cache !== undefined) expect(r.headers["cache-control"]).toBe(c.cache);
      if (c.status !== 200) {
        // Errors are never cached for long and never carry module content.
        expect(r.headers["cache-control"]).not.toMatch(/immutable/);
        expect(r.body.toString()).not.toContain("the content");
        expect(r.body.toString().trimEnd()).not.toContain("\n");
      }
      if (c.status === 401 || c.status === 403) expect(r.body.toString()).not.toMatch(/^not found/);
      if (c.status === 401) expect(r.headers["www-authenticate"]).toBe(`Basic realm="${HOST}"`);
      expect(Number(r.headers["content-length"])).toBe(r.body.length);
      if (typeof c.body === "string") expect(r.body.toString()).toBe(c.body);
      else if (c.body) expect(r.body.toString()).toMatch(c.body);
      if (c.type === ZIP) {
        expect(r.body.subarray(0, 4).toString("latin1")).toBe("PK\x03\x04");
        // Every entry is under <module>@<version>/ (the module path as is, not escaped).
        expect(r.body.includes(Buffer.from(c.path.includes("!upper") ? `${HOST}/Upper@v1.0.0/go.mod` : `${HOST}/tools@v1.0.0/go.mod`))).toBe(true);
      }
    });

    it(`HEAD ${c.name}: the same status and headers, Content-Length, no body`, async () => {
      const [get, head] = [await httpRequest(modgate.url, { path: c.path }), await httpRequest(modgate.url, { path: c.path, method: "HEAD" })];
      expect(head.status).toBe(get.status);
      expect(head.body.length).toBe(0);
      const want = stable(get.headers);
      expect(stable(head.headers)).toEqual(want);
      expect(head.headers["content-length"]).toBe(String(get.body.length));
    });
  }

  it("proxy paths are answered whatever the Host header says (GOPROXY=http://127.0.0.1:port)", async () => {
    const answers: RawResponse[] = [];
    for (const host of [undefined, HOST, "example.org", "127.0.0.1", "localhost:1"]) {
      answers.push(await httpRequest(modgate.url, { path: `/${HOST}/tools/@v/v1.0.0.mod`, ...(host === undefined ? {} : { host }) }));
    }
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.toString()).toBe(TOOLS_MOD);
    }
    const unknown = await httpRequest(modgate.url, { path: "/example.org/x/@v/list", host: HOST });
    expect(unknown.status).toBe(404);
  });

  it("over-long versions write nothing to the log, however often they are asked", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await httpRequest(modgate.url, { path: `/${HOST}/tools/@v/v1.0.0-${"c".repeat(300)}.mod` })).status).toBe(404);
    }
    expect(modgate.output()).not.toMatch(/ENAMETOOLONG|internal error/);
  });

  it("a made-up version asks GitLab once per listTtl: repeats of its .info, .mod and .zip ask nothing", async () => {
    await gitlabQuiet(lab);
    const first = await httpRequest(modgate.url, { path: `/${HOST}/tools/@v/v8.8.8.info` });
    expect(first.status).toBe(404);
    await gitlabQuiet(lab);
    const callsBefore = lab.apiCalls.length;
    for (const ext of ["info", "mod", "zip", "info"]) {
      const r = await httpRequest(modgate.url, { path: `/${HOST}/tools/@v/v8.8.8.${ext}` });
      expect(r.status).toBe(404);
      expect(r.body.toString()).toMatch(/unknown revision v8\.8\.8/);
    }
    expect(lab.apiCalls.slice(callsBefore).map((a) => a.path)).toEqual([]);
  });

  it("a second zip request gets the same bytes (from the store)", async () => {
    const a = await httpRequest(modgate.url, { path: `/${HOST}/tools/@v/v1.0.0.zip` });
    const b = await httpRequest(modgate.url, { path: `/${HOST}/tools/@v/v1.0.0.zip` });
    expect(b.body.equals(a.body)).toBe(true);
  });
});

describe("config: a rule under /sumdb/ with the proxy on", () => {
  it("is a config error at file:line:col", async () => {
    const dir = await makeTempDir("proxy-sumdb-config");
    try {
      const file = join(dir, "modgate.yaml");
      await writeFile(
        file,
        `proxy:\n  enabled: true\nmodules:\n  - path: go.example.com/tools\n    repo: https://git.example.com/tools\n  - path: go.example.com/sumdb/x\n    repo: https://git.example.com/x\n`,
      );
      const r = await run(process.execPath, ["dist/node/cli.js", "check", file], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? "" } });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`${file}:6:11`);
      expect(r.stderr).toMatch(/sumdb/);
      // Without the proxy the same path is an ordinary go-get path.
      await writeFile(file, `modules:\n  - path: go.example.com/sumdb/x\n    repo: https://git.example.com/x\n`);
      const off = await run(process.execPath, ["dist/node/cli.js", "check", file], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? "" } });
      expect(off.code, off.stderr).toBe(0);
    } finally {
      await removeDir(dir);
    }
  });
});
