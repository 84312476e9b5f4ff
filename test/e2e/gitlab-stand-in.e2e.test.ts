// The GitLab stand-in answers the REST API as GitLab does and serves its repositories over git.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRepoRoot,
  encodeProjectId,
  isolatedGitEnv,
  makeRepo,
  requireTools,
  run,
  startGitLabStandIn,
  toolPath,
  type BareRepo,
  type GitLabStandIn,
  type RepoRoot,
} from "./harness/index.js";
import { buildFixtureRepo, type BuiltRepo } from "./harness/fixture-repo.js";

const TOKEN = "glpat-standin-test-token";
const DEEP = "platform/oss/a/b/c";
const SECRET = "platform/oss/secret";
const INNER = "platform/oss/inner";
const MOVED = "platform/oss/renamed";
const FORMER = "platform/legacy/old-name";

async function api(lab: GitLabStandIn, id: string, headers: Record<string, string> = {}, route = "projects") {
  const res = await fetch(`${lab.url}/api/v4/${route}/${id}`, { headers });
  return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as Record<string, any> };
}

function lsRemote(url: string) {
  return run(toolPath("git"), ["ls-remote", url, "HEAD"], { env: isolatedGitEnv() });
}

describe.skipIf(!requireTools("git", "git-http-backend"))("GitLab stand-in", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let deep: BareRepo;
  let secret: BareRepo;
  let moved: BareRepo;
  const auth = { "PRIVATE-TOKEN": TOKEN };

  beforeAll(async () => {
    repos = await createRepoRoot();
    deep = await makeRepo(repos.dir, DEEP, { files: { "go.mod": "module go.example.com/oss/a/b/c\n" } });
    secret = await makeRepo(repos.dir, SECRET, { files: { "go.mod": "module go.example.com/oss/secret\n" }, branch: "trunk" });
    moved = await makeRepo(repos.dir, MOVED, { files: { "go.mod": "module go.example.com/oss/renamed\n" } });
    lab = await startGitLabStandIn({
      root: repos.dir,
      token: TOKEN,
      sshHost: "gitlab.example.com",
      projects: [
        { path: DEEP, visibility: "public" },
        { path: SECRET, visibility: "private", defaultBranch: "trunk" },
        { path: INNER, visibility: "internal" },
        { path: MOVED, visibility: "public", formerPaths: [FORMER] },
      ],
    });
  });

  afterAll(async () => {
    await lab?.close();
    await repos?.close();
  });

  it("encodes a full path as GitLab wants it", () => {
    expect(encodeProjectId("platform/oss/a")).toBe("platform%2Foss%2Fa");
    expect(encodeProjectId(42)).toBe("42");
  });

  it("answers a project with GitLab field names, scp ssh_url_to_repo, by path or numeric id", async () => {
    const r = await api(lab, encodeProjectId(DEEP));
    expect(r.status).toBe(200);
    expect(r.type).toBe("application/json");
    expect(r.body).toMatchObject({
      name: "c",
      path: "c",
      path_with_namespace: DEEP,
      name_with_namespace: "platform / oss / a / b / c",
      namespace: { full_path: "platform/oss/a/b", kind: "group" },
      default_branch: "main",
      visibility: "public",
      http_url_to_repo: `${lab.url}/${DEEP}.git`,
      ssh_url_to_repo: `git@gitlab.example.com:${DEEP}.git`,
      web_url: `${lab.url}/${DEEP}`,
      archived: false,
      empty_repo: false,
    });
    expect((await api(lab, String(r.body.id))).body.path_with_namespace).toBe(DEEP);
    // Routes are case-insensitive; the answer carries the canonical path.
    expect((await api(lab, encodeProjectId(DEEP.toUpperCase()))).body.path_with_namespace).toBe(DEEP);
  });

  it("hides private and internal projects without a token: 404, same as a missing one", async () => {
    const notFound = { status: 404, body: { message: "404 Project Not Found" } };
    expect(await api(lab, encodeProjectId(SECRET))).toMatchObject(notFound);
    expect(await api(lab, encodeProjectId(INNER))).toMatchObject(notFound);
    expect(await api(lab, encodeProjectId("platform/oss/nope"), auth)).toMatchObject(notFound);
    const priv = await api(lab, encodeProjectId(SECRET), auth);
    expect(priv).toMatchObject({ status: 200, body: { visibility: "private", default_branch: "trunk" } });
    expect(await api(lab, encodeProjectId(INNER), { Authorization: `Bearer ${TOKEN}` })).toMatchObject({ status: 200 });
  });

  it("answers 401 for a wrong token, even for a public project", async () => {
    const r = await api(lab, encodeProjectId(DEEP), { "PRIVATE-TOKEN": "glpat-wrong" });
    expect(r).toMatchObject({ status: 401, body: { message: "401 Unauthorized" } });
  });

  it("decodes :id once; a raw slash is another route", async () => {
    expect(await api(lab, DEEP, auth)).toMatchObject({ status: 404, body: { error: "404 Not Found" } });
    expect(await api(lab, encodeURIComponent(encodeProjectId(DEEP)), auth)).toMatchObject({
      status: 404,
      body: { message: "404 Project Not Found" },
    });
    expect(await api(lab, "platform", auth)).toMatchObject({ status: 404, body: { message: "404 Project Not Found" } });
  });

  it("finds a moved project under its former path and answers with the new one", async () => {
    const r = await api(lab, encodeProjectId(FORMER));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      path_with_namespace: MOVED,
      web_url: `${lab.url}/${MOVED}`,
      http_url_to_repo: `${lab.url}/${MOVED}.git`,
      ssh_url_to_repo: `git@gitlab.example.com:${MOVED}.git`,
    });
  });

  it("answers groups by encoded path, 404 when unknown", async () => {
    expect(await api(lab, encodeProjectId("platform/oss"), {}, "groups")).toMatchObject({
      status: 200,
      body: { full_path: "platform/oss", visibility: "public" },
    });
    expect(await api(lab, "platform%2Fnope", {}, "groups")).toMatchObject({
      status: 404,
      body: { message: "404 Group Not Found" },
    });
  });

  it("records every API call with its decoded id, auth kind and status", async () => {
    const before = lab.apiCalls.length;
    await api(lab, encodeProjectId(SECRET));
    await api(lab, encodeProjectId(SECRET), auth);
    await api(lab, encodeProjectId(SECRET), { "PRIVATE-TOKEN": "nope" });
    expect(lab.apiCalls.slice(before).map(({ id, auth: a, status }) => ({ id, auth: a, status }))).toEqual([
      { id: SECRET, auth: "none", status: 404 },
      { id: SECRET, auth: "token", status: 200 },
      { id: SECRET, auth: "bad-token", status: 401 },
    ]);
    expect(lab.apiCalls.at(-1)!.path).toBe(`/api/v4/projects/${encodeProjectId(SECRET)}`);
    expect(lab.requestsLog.at(-1)).toMatch(/^GET \/api\/v4\/projects\/platform%2Foss%2Fsecret HTTP\/1\.1\r\n/);
    expect(lab.requestsLog.at(-1)).toMatch(/\r\nprivate-token: nope(\r\n|$)/i);
  });

  it("serves git smart HTTP; private needs the token; a moved project clones under the old path", async () => {
    expect((await lsRemote(`${lab.url}/${DEEP}.git`)).stdout.slice(0, 40)).toBe(deep.head);
    expect((await lsRemote(`${lab.url}/${FORMER}.git`)).stdout.slice(0, 40)).toBe(moved.head);
    const anon = await lsRemote(`${lab.url}/${SECRET}.git`);
    expect(anon.code).not.toBe(0);
    expect(lab.gitRequests.at(-1)).toMatchObject({ status: 401, project: undefined });
    const withToken = lab.url.replace("http://", `http://oauth2:${TOKEN}@`);
    expect((await lsRemote(`${withToken}/${SECRET}.git`)).stdout.slice(0, 40)).toBe(secret.head);
    expect((await lsRemote(`${withToken}/platform/oss/nope.git`)).code).not.toBe(0);
    expect(lab.gitRequests.at(-1)).toMatchObject({ status: 404 });
  });

  it("goes down, refuses, slows down, and comes back; git keeps working", async () => {
    try {
      lab.setMode("down");
      expect(await api(lab, encodeProjectId(DEEP))).toMatchObject({
        status: 500,
        body: { message: "500 Internal Server Error" },
      });
      expect((await lsRemote(`${lab.url}/${DEEP}.git`)).code).toBe(0);

      lab.setMode("refuse");
      await expect(fetch(`${lab.url}/api/v4/projects/${encodeProjectId(DEEP)}`)).rejects.toThrow();
      expect(lab.apiCalls.at(-1)).toMatchObject({ id: DEEP, status: 0 });

      // Slow: a call arrives and waits unanswered (status 0 until the stand-in answers), here for
      // longer than the test runs; shown by the call's record, not by timing the answer.
      lab.setMode("slow", 600_000);
      const arrived = lab.apiCalls.length;
      const client = new AbortController();
      const waiting = fetch(`${lab.url}/api/v4/projects/${encodeProjectId(DEEP)}`, { signal: client.signal }).then(
        () => "answered",
        () => "aborted",
      );
      await expect.poll(() => lab.apiCalls.length).toBeGreaterThan(arrived);
      expect(lab.apiCalls.at(-1)).toMatchObject({ id: DEEP, status: 0 });
      client.abort();
      expect(await waiting).toBe("aborted");
      // With a short delay, the answer comes, as usual.
      lab.setMode("slow", 50);
      expect((await api(lab, encodeProjectId(DEEP))).status).toBe(200);
    } finally {
      lab.setMode("ok");
    }
    expect((await api(lab, encodeProjectId(DEEP))).status).toBe(200);
  });
});

// ---- the repository API (issue 10): answered from the bare repositories as GitLab answers ----

const REPO = "fixtures/api/proj";
const HIDDEN = "fixtures/api/hidden";

describe.skipIf(!requireTools("git", "git-http-backend"))("GitLab stand-in repository API", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let built: BuiltRepo;
  const id = encodeProjectId(REPO);
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${lab.url}/api/v4/projects/${id}/repository/${path}`, { headers });
    const bytes = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get("content-type") ?? "";
    return { status: res.status, headers: res.headers, bytes, body: type.startsWith("application/json") ? JSON.parse(bytes.toString()) : undefined };
  };
  /** Follows x-next-page (offset) or the Link rel="next" (keyset) to the end, collecting names. */
  const walk = async (first: string, key: "name" | "path", keyset: boolean) => {
    const names: string[] = [];
    let url: string | undefined = `${lab.url}/api/v4/projects/${id}/repository/${first}`;
    let pages = 0;
    while (url !== undefined && pages++ < 50) {
      const res: Response = await fetch(url);
      expect(res.status).toBe(200);
      names.push(...((await res.json()) as Record<string, string>[]).map((e) => e[key]!));
      if (keyset) url = /<([^>]+)>; rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
      else {
        const next = res.headers.get("x-next-page");
        url = next ? url.replace(/([?&]page=)\d+/, `$1${next}`).replace(/^([^?]*)(?!.*[?&]page=)\?/, `$1?page=${next}&`) : undefined;
      }
    }
    return { names, pages };
  };

  beforeAll(async () => {
    repos = await createRepoRoot();
    built = await buildFixtureRepo(repos.dir, REPO, {
      commits: [
        {
          files: { "go.mod": "module go.example.com/api\n", "a/b/c.go": "package b\n", "a/x.txt": "x\n", "z.txt": "z\n", link: { symlink: "z.txt" } },
          tags: ["v1.0.0", { name: "v1.1.0", annotated: "release 1.1.0\n" }],
          authorDate: "2020-01-01T00:00:00+00:00",
          committerDate: "2023-05-06T07:08:09+05:00",
        },
        {
          files: { ".gitattributes": "ignored.txt export-ignore\nversion.txt export-subst\n", "ignored.txt": "gone\n", "version.txt": "$Format:%H$\n" },
          tags: ["release/2.0", "v1.2.0-rc.1"],
          committerDate: "2023-06-01T12:00:00-07:30",
        },
        { files: { "feature.txt": "f\n" }, branch: "feat/x", tags: ["v2.0.0"] },
        {
          files: { "sub/mod/go.mod": "module go.example.com/api/sub/mod\n", "sub/mod/m.go": "package mod\n" },
          tags: ["sub/mod/v0.1.0", "v1.3.0", "v1.4.0", "v1.5.0"],
        },
      ],
    });
    await buildFixtureRepo(repos.dir, HIDDEN, { commits: [{ files: { "go.mod": "module x\n" } }] });
    lab = await startGitLabStandIn({
      root: repos.dir,
      token: TOKEN,
      projects: [
        { path: REPO, visibility: "public" },
        { path: HIDDEN, visibility: "private" },
      ],
    });
  });

  afterAll(async () => {
    await lab?.close();
    await repos?.close();
  });

  it("lists tags with GitLab fields; annotated tags carry their tag object as target", async () => {
    const r = await get("tags?order_by=name&sort=asc&per_page=100");
    expect(r.status).toBe(200);
    expect(r.body.map((t: any) => t.name)).toEqual([
      "release/2.0",
      "sub/mod/v0.1.0",
      "v1.0.0",
      "v1.1.0",
      "v1.2.0-rc.1",
      "v1.3.0",
      "v1.4.0",
      "v1.5.0",
      "v2.0.0",
    ]);
    const v110 = r.body.find((t: any) => t.name === "v1.1.0");
    expect(Object.keys(v110)).toEqual(["name", "message", "target", "commit", "release", "protected", "created_at"]);
    expect(v110.target).not.toBe(built.commits[0]);
    expect(v110).toMatchObject({ message: "release 1.1.0\n", commit: { id: built.commits[0] }, created_at: "2023-05-06T07:08:09.000+05:00" });
    expect(r.body.find((t: any) => t.name === "v1.0.0")).toMatchObject({ target: built.commits[0], message: null, created_at: null });
  });

  it("answers commit dates in the committer offset; created_at = committed_date; author time separate", async () => {
    const r = await get(`commits/${built.commits[0]}`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual([
      "id",
      "short_id",
      "created_at",
      "parent_ids",
      "title",
      "message",
      "author_name",
      "author_email",
      "authored_date",
      "committer_name",
      "committer_email",
      "committed_date",
      "trailers",
      "extended_trailers",
      "web_url",
      "stats",
      "status",
      "project_id",
      "last_pipeline",
    ]);
    expect(r.body).toMatchObject({
      id: built.commits[0],
      short_id: built.commits[0]!.slice(0, 8),
      committed_date: "2023-05-06T07:08:09.000+05:00",
      created_at: "2023-05-06T07:08:09.000+05:00",
      authored_date: "2020-01-01T00:00:00.000+00:00",
      parent_ids: [],
      title: "commit 1",
      message: "commit 1\n",
    });
    expect((await get("commits/release%2F2.0?stats=false")).body).toMatchObject({ id: built.commits[1], committed_date: "2023-06-01T12:00:00.000-07:30" });
    expect((await get("commits/feat%2Fx")).body.id).toBe(built.commits[2]);
    expect((await get(`commits/${built.commits[3]!.slice(0, 7)}`)).body.id).toBe(built.commits[3]);
    expect(await get("commits/nope")).toMatchObject({ status: 404, body: { message: "404 Commit Not Found" } });
    expect((await get("commits/feat/x")).body).toEqual({ error: "404 Not Found" });
  });

  it("answers single tags and branches by %2F-encoded name, 404 bodies otherwise", async () => {
    expect((await get("tags/release%2F2.0")).body).toMatchObject({ name: "release/2.0", commit: { id: built.commits[1] } });
    expect(await get("tags/v9.9.9")).toMatchObject({ status: 404, body: { message: "404 Tag Not Found" } });
    expect((await get("branches/feat%2Fx")).body).toMatchObject({ name: "feat/x", merged: false, default: false, commit: { id: built.commits[2] } });
    expect((await get("branches/main")).body).toMatchObject({ name: "main", default: true, protected: true });
    expect(await get("branches/nope")).toMatchObject({ status: 404, body: { message: "404 Branch Not Found" } });
    expect((await get("branches?search=feat")).body.map((b: any) => b.name)).toEqual(["feat/x"]);
  });

  it("paginates branches with exact offset headers (branch_list_keyset_pagination is off by default)", async () => {
    const first = await get("branches?per_page=1");
    expect(first.body.map((b: any) => b.name)).toEqual(["feat/x"]);
    expect([first.headers.get("x-next-page"), first.headers.get("x-total"), first.headers.get("x-total-pages")]).toEqual(["2", "2", "2"]);
    const last = await get("branches?per_page=1&page=2");
    expect(last.body.map((b: any) => b.name)).toEqual(["main"]);
    expect(last.headers.get("x-next-page")).toBe("");
    // pagination=keyset is ignored without the flag.
    expect((await get("branches?per_page=1&pagination=keyset")).headers.get("x-total")).toBe("2");
  });

  it("searches tags with ^prefix and suffix$, and filters the whole list whatever per_page says", async () => {
    expect((await get("tags?search=%5Ev1.&order_by=name&sort=asc&per_page=2")).body.map((t: any) => t.name)).toEqual([
      "v1.0.0",
      "v1.1.0",
      "v1.2.0-rc.1",
      "v1.3.0",
      "v1.4.0",
      "v1.5.0",
    ]);
    expect((await get("tags?search=.0%24&order_by=name&sort=asc")).body.map((t: any) => t.name)).toEqual([
      "release/2.0",
      "sub/mod/v0.1.0",
      "v1.0.0",
      "v1.1.0",
      "v1.3.0",
      "v1.4.0",
      "v1.5.0",
      "v2.0.0",
    ]);
    expect((await get("tags?order_by=version&sort=desc&per_page=3")).body.map((t: any) => t.name)).toEqual(["v2.0.0", "v1.5.0", "v1.4.0"]);
    expect(await get("tags?order_by=semver")).toMatchObject({ status: 400, body: { error: "order_by does not have a valid value" } });
  });

  it("paginates tags: page 1 imitates offset headers from Gitaly, later pages are Kaminari", async () => {
    const first = await get("tags?order_by=name&sort=asc&per_page=4");
    expect(first.body).toHaveLength(4);
    expect(
      Object.fromEntries(["x-page", "x-per-page", "x-next-page", "x-prev-page", "x-total", "x-total-pages"].map((h) => [h, first.headers.get(h)])),
    ).toEqual({
      "x-page": "1",
      "x-per-page": "4",
      "x-next-page": "2",
      "x-prev-page": "",
      "x-total": "9",
      "x-total-pages": "3",
    });
    expect(first.headers.get("link")).toBe(
      [
        `<${lab.url}/api/v4/projects/${id}/repository/tags?order_by=name&page=2&per_page=4&sort=asc>; rel="next"`,
        `<${lab.url}/api/v4/projects/${id}/repository/tags?order_by=name&page=1&per_page=4&sort=asc>; rel="first"`,
        `<${lab.url}/api/v4/projects/${id}/repository/tags?order_by=name&page=3&per_page=4&sort=asc>; rel="last"`,
      ].join(", "),
    );
    const last = await get("tags?order_by=name&sort=asc&per_page=4&page=3");
    expect(last.body.map((t: any) => t.name)).toEqual(["v2.0.0"]);
    expect([last.headers.get("x-next-page"), last.headers.get("x-prev-page")]).toEqual(["", "2"]);
    const walked = await walk("tags?order_by=name&sort=asc&per_page=4&page=1", "name", false);
    expect(walked.names).toHaveLength(9);
    const small = await walk("tags?order_by=name&sort=asc&per_page=100", "name", false);
    expect(small).toEqual({ names: walked.names, pages: 1 });
    // Older GitLab: everything fits on page 1, yet x-next-page says 2 (one extra request for []).
    const legacy = await startGitLabStandIn({
      root: repos.dir,
      token: TOKEN,
      projects: [{ path: REPO, visibility: "public" }],
      features: { legacyFirstPageHeaders: true },
    });
    try {
      const res = await fetch(`${legacy.url}/api/v4/projects/${id}/repository/tags?per_page=100`);
      expect([res.headers.get("x-next-page"), res.headers.get("x-total-pages")]).toEqual(["2", "1"]);
      const page2 = await fetch(`${legacy.url}/api/v4/projects/${id}/repository/tags?per_page=100&page=2`);
      expect(await page2.json()).toEqual([]);
    } finally {
      await legacy.close();
    }
  });

  it("paginates tags by keyset (page_token = last name), ending with an empty page on exact multiples", async () => {
    const walked = await walk("tags?order_by=name&sort=asc&per_page=3&pagination=keyset", "name", true);
    expect(walked.names).toHaveLength(9);
    expect(walked.pages).toBe(4);
    const page = await get("tags?order_by=name&sort=asc&per_page=3&pagination=keyset&page_token=v1.1.0");
    expect(page.body.map((t: any) => t.name)).toEqual(["v1.2.0-rc.1", "v1.3.0", "v1.4.0"]);
    expect(page.headers.get("link")).toContain("page_token=v1.4.0");
    expect(await get("tags?pagination=keyset&page_token=v7")).toMatchObject({ status: 422, body: { message: "Invalid page token: refs/tags/v7" } });
  });

  it("lists trees (recursive, path, keyset and legacy pages), 404 for a missing path or ref", async () => {
    const all = await get("tree?recursive=true&pagination=none");
    expect(all.body.map((e: any) => `${e.type} ${e.mode} ${e.path}`)).toEqual([
      "tree 040000 a",
      "tree 040000 a/b",
      "tree 040000 sub",
      "tree 040000 sub/mod",
      "blob 100644 .gitattributes",
      "blob 100644 a/b/c.go",
      "blob 100644 a/x.txt",
      "blob 100644 go.mod",
      "blob 100644 ignored.txt",
      "blob 120000 link",
      "blob 100644 sub/mod/go.mod",
      "blob 100644 sub/mod/m.go",
      "blob 100644 version.txt",
      "blob 100644 z.txt",
    ]);
    expect(Object.keys(all.body[0])).toEqual(["id", "name", "type", "path", "mode"]);
    // Keyset pages follow Gitaly's TREES_FIRST order, so the walk equals the unpaginated list.
    const keyset = await walk("tree?recursive=true&pagination=keyset&per_page=4", "path", true);
    expect(keyset).toEqual({ names: all.body.map((e: any) => e.path), pages: 4 });
    const second = await get(
      `tree?recursive=true&pagination=keyset&per_page=4&page_token=${encodeURIComponent(Buffer.from('{"file_name":"sub/mod"}').toString("base64"))}`,
    );
    expect(second.body.map((e: any) => e.path)).toEqual([".gitattributes", "a/b/c.go", "a/x.txt", "go.mod"]);
    expect(await get("tree?recursive=true&pagination=keyset&page_token=nope")).toMatchObject({ status: 500 });
    expect((await get("tree?path=sub%2Fmod&ref=v1.3.0")).body.map((e: any) => e.name)).toEqual(["go.mod", "m.go"]);
    expect((await get("tree?path=a")).body.map((e: any) => e.path)).toEqual(["a/b", "a/x.txt"]);
    expect(await get("tree?path=nope")).toMatchObject({ status: 404, body: { message: "404 Tree Not Found" } });
    expect(await get("tree?ref=nope")).toMatchObject({ status: 404, body: { message: "404 Tree Not Found" } });
    expect((await get("tree?pagination=none")).status).toBe(400);
    const legacy = await get("tree?recursive=true&per_page=5");
    expect([legacy.headers.get("x-next-page"), legacy.headers.get("x-total"), legacy.headers.get("x-total-pages")]).toEqual(["2", "14", "3"]);
  });

  it("serves raw blobs and files byte for byte (no attribute conversion), 404 bodies otherwise", async () => {
    const tree = (await get("tree?recursive=true&pagination=none")).body as { id: string; path: string }[];
    const blob = await get(`blobs/${tree.find((e) => e.path === "version.txt")!.id}/raw`);
    expect(blob.bytes.toString()).toBe("$Format:%H$\n");
    expect((await get("files/link/raw?ref=v1.0.0")).bytes.toString()).toBe("z.txt");
    expect((await get("files/sub%2Fmod%2Fgo.mod/raw?ref=main")).bytes.toString()).toBe("module go.example.com/api/sub/mod\n");
    expect(await get("files/nope.txt/raw?ref=main")).toMatchObject({ status: 404, body: { message: "404 File Not Found" } });
    expect(await get("files/go.mod/raw?ref=nope")).toMatchObject({ status: 404, body: { message: "404 Commit Not Found" } });
    expect(await get(`blobs/${"0".repeat(40)}/raw`)).toMatchObject({ status: 404, body: { message: "404 Blob Not Found" } });
  });

  it("answers refs containing a commit and merge bases", async () => {
    const refs = await get(`commits/${built.commits[0]}/refs?type=all&per_page=100`);
    expect(refs.body).toContainEqual({ type: "branch", name: "feat/x" });
    expect(refs.body).toContainEqual({ type: "tag", name: "v1.0.0" });
    expect(refs.body[0]).toEqual({ type: "branch", name: "feat/x" });
    expect(refs.headers.get("x-total")).toBe(String(refs.body.length));
    expect((await get(`commits/${built.commits[3]}/refs?type=tag`)).body.map((r: any) => r.name)).toEqual(["sub/mod/v0.1.0", "v1.3.0", "v1.4.0", "v1.5.0"]);
    expect((await get("merge_base?refs[]=v2.0.0&refs[]=v1.5.0")).body).toMatchObject({ id: built.commits[1] });
    expect(await get("merge_base?refs[]=v1.0.0&refs[]=nope")).toMatchObject({ status: 400, body: { message: "Could not find ref: nope" } });
    expect(await get("merge_base?refs[]=v1.0.0")).toMatchObject({ status: 400, body: { message: "Provide at least 2 refs" } });
  });

  it("builds archive.zip as Gitaly does: prefix, export-ignore/subst honoured, path kept, 404 for a missing path", async () => {
    const c = built.commits[3]!;
    const whole = await get(`archive.zip?sha=v1.3.0&include_lfs_blobs=false`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("application/zip");
    const prefix = `proj-v1.3.0-${c}`;
    expect(whole.headers.get("content-disposition")).toBe(`attachment; filename="${prefix}.zip"`);
    const names = zipNames(whole.bytes);
    expect(names).toContain(`${prefix}/go.mod`);
    expect(names).toContain(`${prefix}/sub/`);
    expect(names).not.toContain(`${prefix}/ignored.txt`);
    const sub = await get(`archive.zip?sha=${c}&path=sub%2Fmod`);
    expect(zipNames(sub.bytes)).toEqual([
      `proj-${c}-${c}-sub-mod/`,
      `proj-${c}-${c}-sub-mod/sub/`,
      `proj-${c}-${c}-sub-mod/sub/mod/`,
      `proj-${c}-${c}-sub-mod/sub/mod/go.mod`,
      `proj-${c}-${c}-sub-mod/sub/mod/m.go`,
    ]);
    expect(await get(`archive.zip?sha=${c}&path=nope`)).toMatchObject({ status: 404, body: { message: "404 File Not Found" } });
    expect(await get("archive.zip?sha=nope")).toMatchObject({ status: 404, body: { message: "404 File Not Found" } });
  });

  it("hides a private project from every repository endpoint, counts calls per endpoint, fails on demand", async () => {
    const hidden = await fetch(`${lab.url}/api/v4/projects/${encodeProjectId(HIDDEN)}/repository/tags`);
    expect([hidden.status, await hidden.json()]).toEqual([404, { message: "404 Project Not Found" }]);
    const withToken = await fetch(`${lab.url}/api/v4/projects/${encodeProjectId(HIDDEN)}/repository/tags`, { headers: { "PRIVATE-TOKEN": TOKEN } });
    expect(withToken.status).toBe(200);
    const before = lab.apiCalls.length;
    await get("tree?recursive=true");
    await get("tags");
    expect(lab.apiCalls.slice(before).map((c) => [c.endpoint, c.id, c.status])).toEqual([
      ["tree", REPO, 200],
      ["tags", REPO, 200],
    ]);
    try {
      lab.setMode("status", { status: 429, retryAfter: 7, endpoints: ["archive"] });
      const limited = await get("archive.zip");
      expect([limited.status, limited.headers.get("retry-after"), limited.bytes.toString()]).toEqual([429, "7", "Retry later\n"]);
      expect((await get("tags")).status).toBe(200);
      const archiveLimit = { error: "This archive has been requested too many times. Try again later." };
      lab.setMode("status", { status: 429, endpoints: ["archive"], body: { message: archiveLimit } });
      expect(await get("archive.zip")).toMatchObject({ status: 429, body: { message: archiveLimit } });
      lab.setMode("status", { status: 502 });
      expect(await get("tags")).toMatchObject({ status: 502, body: { message: "502 Bad Gateway" } });
    } finally {
      lab.setMode("ok");
    }
  });
});

/** Entry names of a zip, from its central directory (enough for assertions; no extraction). */
function zipNames(zip: Buffer): string[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    names.push(zip.subarray(at + 46, at + 46 + nameLen).toString("utf8"));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}
