// "The proxy keeps its promises": who may read a module follows GitLab, now.
//   1. a public project whose repository is members-only (repository_access_level
//      private) is not public: GitLab refuses anonymous clones, so does modgate;
//      go-get's transport auto sends it through the proxy like a private one;
//   2. a project made private is private within listTtl, whatever discovery
//      remembers (cacheTtl 600 here), and remembered answers get the Cache-Control
//      of the project's visibility now;
//   3. stored content is the GitLab project's, not the path's: a new public project
//      at a moved private one's path never hands out the private one's zip;
//   8. without a credential, a path a rule maps but no project serves answers the
//      private module's 401, not 404 (no existence oracle).
// The real go command (no git on its PATH, through the https front) for 1 and 2.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGoEnv,
  makeTempDir,
  pathWithoutGit,
  removeDir,
  requireTools,
  startHttpsFront,
  startModgateNode,
  writeNetrc,
  type GitlessPath,
  type GoEnv,
  type HttpsFront,
  type RunningModgate,
} from "./harness/index.js";
import { addCommit, createRepoRoot, makeRepo, type BareRepo, type RepoRoot } from "./harness/git-repos.js";
import { startGitLabStandIn, type GitLabStandIn, type StandInProject } from "./harness/gitlab-stand-in.js";

const HOST = "go.example.com";
const SERVER_TOKEN = "glpat-modgate-server-promises-01";
const ALICE = "glpat-alice-promises-0001";
const LIST_TTL = 1;
const mod = (path: string) => `module ${path}\n\ngo 1.21\n`;
const alice = { login: "alice", password: ALICE };

describe.skipIf(!requireTools("go", "git", "git-http-backend", "openssl"))("the proxy keeps its promises", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let modgate: RunningModgate;
  let front: HttpsFront;
  let gitless: GitlessPath;
  let configDir: string;
  const envs: GoEnv[] = [];
  const projects: StandInProject[] = [];
  let flip: BareRepo;

  beforeAll(async () => {
    repos = await createRepoRoot();
    const make = (name: string, files: Record<string, string>) =>
      makeRepo(repos.dir, `platform/g/${name}`, { files: { "go.mod": mod(`${HOST}/g/${name}`), ...files }, tags: ["v1.0.0"] });
    await make("members", { "m.go": 'package members\n\nconst Name = "members"\n' });
    flip = await make("flip", { "f.go": 'package flip\n\nconst Name = "flip"\n' });
    await make("moved", { "secret.go": 'package moved\n\nconst Secret = "private project"\n' });
    await make("open", { "o.go": "package open\n" });
    projects.push(
      { path: "platform/g/members", visibility: "public", repositoryAccessLevel: "private" },
      { path: "platform/g/flip", visibility: "public" },
      { path: "platform/g/moved", visibility: "private" },
      { path: "platform/g/open", visibility: "public" },
    );
    lab = await startGitLabStandIn({
      root: repos.dir,
      token: SERVER_TOKEN,
      projects,
      access: {
        users: [{ username: "alice", memberships: { platform: "developer" } }],
        personalAccessTokens: [{ token: ALICE, user: "alice", scopes: ["read_repository"] }],
      },
    });
    configDir = await makeTempDir("proxy-promises");
    const configPath = join(configDir, "modgate.yaml");
    await writeFile(
      configPath,
      [
        "gitlab:",
        `  url: ${lab.url}`,
        `  token: ${SERVER_TOKEN}`,
        "discovery:",
        "  cacheTtl: 600",
        "proxy:",
        "  enabled: true",
        `  listTtl: ${LIST_TTL}`,
        "  authTtl: 1",
        `  cacheDir: ${join(configDir, "store")}`,
        "modules:",
        `  - path: ${HOST}/g`,
        "    group: platform/g",
        "    transport: auto",
        "",
      ].join("\n"),
    );
    modgate = await startModgateNode(configPath);
    front = await startHttpsFront({ upstream: modgate.url, names: [HOST] });
    gitless = await pathWithoutGit();
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), front?.close()]);
    await Promise.allSettled([...envs.map((e) => e.close()), gitless?.close(), lab?.close(), repos?.close(), configDir && removeDir(configDir)]);
  });

  async function client(credential: { login: string; password: string } | undefined): Promise<GoEnv> {
    const env = await createGoEnv({
      env: { PATH: gitless.PATH, ...front.goEnv(), GOPROXY: `https://${HOST}`, GONOSUMDB: HOST, GOFLAGS: "-mod=mod -modcacherw" },
    });
    envs.push(env);
    if (credential) await writeNetrc(env.home, { machine: HOST, ...credential });
    return env;
  }

  /** A request straight to modgate as go.example.com, with alice's token or none. */
  function get(path: string, withToken = false): Promise<Response> {
    const headers: Record<string, string> = { host: HOST, ...(withToken ? { authorization: `Basic ${btoa(`alice:${ALICE}`)}` } : {}) };
    const url = new URL(modgate.url);
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, String(v));
          resolve(new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: h }));
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
  }

  const waitListTtl = () => sleep(LIST_TTL * 1000 + 300);

  describe("1. a public project with a members-only repository is not public", () => {
    it("GitLab itself refuses its anonymous clone (the stand-in)", async () => {
      const info = await fetch(`${lab.url}/platform/g/members.git/info/refs?service=git-upload-pack`);
      expect(info.status).toBe(401);
    });

    it("the go command without a token gets 401; with a member's token it downloads, answered private", async () => {
      const anonymous = await client(undefined);
      const r = await anonymous.goModDownload(`${HOST}/g/members@v1.0.0`);
      expect(r.info?.Error ?? r.stderr).toMatch(/401 Unauthorized[\s\S]*a private module: send a GitLab token/);
      const member = await client(alice);
      const ok = await member.goModDownload(`${HOST}/g/members@v1.0.0`);
      expect(ok.info?.Error, ok.stderr).toBeUndefined();
      expect(ok.info?.Sum).toMatch(/^h1:/);
      for (const endpoint of ["list", "v1.0.0.info", "v1.0.0.mod", "v1.0.0.zip"]) {
        const a = await get(`/${HOST}/g/members/@v/${endpoint}`, true);
        expect(a.status, endpoint).toBe(200);
        expect(a.headers.get("cache-control"), endpoint).toMatch(/^private,/);
      }
    });

    it("go-get with transport auto sends it through the proxy like a private project, not over public https", async () => {
      const page = await (await get("/g/members?go-get=1")).text();
      expect(page).toContain(`<meta name="go-import" content="${HOST}/g/members mod https://${HOST}">`);
      const open = await (await get("/g/open?go-get=1")).text();
      expect(open).toContain(`<meta name="go-import" content="${HOST}/g/open git ${lab.url}/platform/g/open.git">`);
    });
  });

  describe("2. a project made private is private within listTtl", () => {
    it("public before; after the change neither an old nor a new version reaches anonymous clients, and a member gets private answers", async () => {
      const before = await client(undefined);
      const r = await before.goModDownload(`${HOST}/g/flip@v1.0.0`);
      expect(r.info?.Error, r.stderr).toBeUndefined();
      const pub = await get(`/${HOST}/g/flip/@v/v1.0.0.info`);
      expect(pub.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      await get("/g/flip?go-get=1"); // discovery remembers the project as public (cacheTtl 600)

      projects[1]!.visibility = "private";
      await addCommit(flip, { files: { "f.go": 'package flip\n\nconst Name = "flip 1.1"\n' }, tags: ["v1.1.0"] });
      await waitListTtl();

      const after = await client(undefined);
      const newer = await after.goModDownload(`${HOST}/g/flip@v1.1.0`);
      expect(newer.info?.Error ?? newer.stderr).toMatch(/401 Unauthorized/);
      const older = await after.goModDownload(`${HOST}/g/flip@v1.0.0`);
      expect(older.info?.Error ?? older.stderr).toMatch(/401 Unauthorized/);
      for (const endpoint of ["list", "v1.0.0.info", "v1.0.0.mod", "v1.0.0.zip"]) {
        expect((await get(`/${HOST}/g/flip/@v/${endpoint}`)).status, endpoint).toBe(401);
        const member = await get(`/${HOST}/g/flip/@v/${endpoint}`, true);
        expect(member.status, endpoint).toBe(200);
        expect(member.headers.get("cache-control"), endpoint).toMatch(/^private,/);
      }
      const member = await client(alice);
      const ok = await member.goModDownload(`${HOST}/g/flip@v1.1.0`);
      expect(ok.info?.Error, ok.stderr).toBeUndefined();

      // And back: public again within listTtl, the remembered answers public again.
      projects[1]!.visibility = "public";
      await waitListTtl();
      const again = await get(`/${HOST}/g/flip/@v/v1.0.0.info`);
      expect(again.status).toBe(200);
      expect(again.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    });
  });

  describe("3. stored content belongs to its GitLab project", () => {
    it("a new public project at a moved private project's path never serves the private zip", async () => {
      const privateZip = await get(`/${HOST}/g/moved/@v/v1.0.0.zip`, true);
      expect(privateZip.status).toBe(200);
      const privateBytes = Buffer.from(await privateZip.arrayBuffer());
      expect(privateBytes.includes(Buffer.from("/secret.go"))).toBe(true);

      // Moved to another group (GitLab keeps the old path as a redirect until a project takes it)…
      const movedTo = "platform/elsewhere/moved";
      await mkdir(dirname(join(repos.dir, `${movedTo}.git`)), { recursive: true });
      await rename(join(repos.dir, "platform/g/moved.git"), join(repos.dir, `${movedTo}.git`));
      projects[2] = { path: movedTo, visibility: "private", formerPaths: ["platform/g/moved"] };
      // …and a new public project created at the old path, with a v1.0.0 of its own.
      await makeRepo(repos.dir, "platform/g/moved", {
        files: { "go.mod": mod(`${HOST}/g/moved`), "n.go": 'package moved\n\nconst Public = "new project"\n' },
        tags: ["v1.0.0"],
      });
      projects.push({ path: "platform/g/moved", visibility: "public" });
      await waitListTtl();

      const zip = await get(`/${HOST}/g/moved/@v/v1.0.0.zip`);
      expect(zip.status).toBe(200);
      const bytes = Buffer.from(await zip.arrayBuffer());
      expect(bytes.includes(Buffer.from("/secret.go"))).toBe(false);
      expect(bytes.includes(Buffer.from("/n.go"))).toBe(true);
      const info = await get(`/${HOST}/g/moved/@v/v1.0.0.info`);
      expect(info.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    });
  });

  describe("8. no existence oracle without a credential", () => {
    it("a path the group rule maps but no project serves: 401 like a private project without a token, 404 with one", async () => {
      const missing = await get(`/${HOST}/g/no-such-project/@v/list`);
      const privateOne = await get(`/${HOST}/g/members/@v/list`);
      expect(missing.status).toBe(401);
      expect(privateOne.status).toBe(401);
      expect(missing.headers.get("www-authenticate")).toBe(privateOne.headers.get("www-authenticate"));
      expect(await missing.text()).toBe((await privateOne.text()).replace("/g/members:", "/g/no-such-project:"));
      const withToken = await get(`/${HOST}/g/no-such-project/@v/list`, true);
      expect(withToken.status).toBe(404);
    });
  });
});
