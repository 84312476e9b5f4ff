// A cold download overlaps its GitLab calls (issue "faster than git, cold and
// warm"): the go command asks .info, .mod and .zip one after another, and a
// cold .info of a canonical version starts that version's zip build at once,
// in the background, where the runtime keeps working after an answer
// (ContentStore.backgroundWork: Node); the .zip request then joins it. A
// background build that fails is nobody's answer: the .zip request builds
// again and answers what its own build gives. Independent GitLab calls are
// asked at once (a tag and its commit, the .gitattributes with the archive).
// The proxy runs in this process against the GitLab stand-in (REST API from
// real bare repositories), once with background builds and once without.
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answer } from "../../src/app/answer.js";
import type { PlainAnswer } from "../../src/http/responses.js";
import { compileConfig } from "../../src/config/load.js";
import { assemble } from "../../src/app/assemble.js";
import { MemoryLookupCache } from "../../src/discovery/lookup-cache.js";
import { MemoryStore } from "../../src/proxy/store/memory-store.js";
import { MAX_BACKGROUND_BUILDS } from "../../src/proxy/cache/caching-repo.js";
import { createRepoRoot, makeRepo, requireTools, startGitLabStandIn, type GitLabStandIn, type RepoRoot } from "./harness/index.js";
import type { Modgate } from "../../src/app/modgate.js";

const HOST = "go.example.com";
const TOKEN = "glpat-proxy-overlap-test-token";
/** Each module of the same files, in its own project: every test starts cold. */
const NAMES = ["solo", "joined", "nothing", "flaky", "failing", "broken", "burst1", "burst2", "burst3"] as const;

function filesOf(name: string): Record<string, string> {
  const files: Record<string, string> = { "go.mod": `module ${HOST}/${name}\n\ngo 1.21\n`, LICENSE: "No rights reserved.\n" };
  for (let i = 0; i < 12; i++) files[`pkg/f${i}.go`] = `package pkg\n\n// F${i} is generated.\nconst F${i} = ${i}\n`;
  // Two names that differ only in case: the go command refuses the zip (case-insensitive
  // file name collision), though the version exists and its .info and .mod are served.
  if (name === "broken") files["pkg/F0.go"] = "package pkg\n";
  return files;
}

/** dirhash.Hash1 from its definition (x/mod/sumdb/dirhash), independent of src/. */
function hash1(modulePath: string, version: string, files: Record<string, string>): string {
  const lines = Object.keys(files)
    .map((name) => `${modulePath}@${version}/${name}`)
    .sort()
    .map(
      (full) =>
        `${createHash("sha256")
          .update(files[full.slice(`${modulePath}@${version}/`.length)]!)
          .digest("hex")}  ${full}\n`,
    );
  return "h1:" + createHash("sha256").update(lines.join("")).digest("base64");
}

describe.skipIf(!requireTools("git"))("module proxy, a cold download overlaps its GitLab calls", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  /** Background builds on (as `modgate serve`'s disk store has them) and off (as on Workers). */
  let background: Modgate;
  let plain: Modgate;

  beforeAll(async () => {
    repos = await createRepoRoot();
    for (const name of NAMES) await makeRepo(repos.dir, `platform/${name}`, { files: filesOf(name), tags: ["v1.0.0"] });
    lab = await startGitLabStandIn({ root: repos.dir, token: TOKEN, projects: NAMES.map((n) => ({ path: `platform/${n}`, visibility: "public" as const })) });
    const config = compileConfig(
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\nproxy:\n  enabled: true\nmodules:\n` +
        NAMES.map((n) => `  - path: ${HOST}/${n}\n    project: platform/${n}\n`).join(""),
      "modgate.yaml",
    );
    background = assemble(config, { cache: () => new MemoryLookupCache(100), store: () => new MemoryStore({ backgroundWork: true }) });
    plain = assemble(config, { cache: () => new MemoryLookupCache(100), store: () => new MemoryStore() });
  });

  afterAll(async () => {
    await lab?.close();
    await repos?.close();
  });

  const ask = (modgate: Modgate, name: string, file: string) => Promise.resolve(answer("GET", HOST, `/${HOST}/${name}/@v/${file}`, modgate));
  const text = (a: PlainAnswer) => Buffer.from(a.body as Uint8Array | string).toString();
  const callsOf = (name: string, since = 0) => lab.apiCalls.slice(since).filter((c) => c.id === `platform/${name}`);
  const h1Of = async (modgate: Modgate, name: string) => {
    const summary = await modgate.proxy!.summarize(`${HOST}/${name}`, "v1.0.0", async () => 0);
    if (!("sum" in summary)) throw new Error(`no summary: ${text(summary)}`);
    return summary.sum;
  };
  /** Until the project has an archive call (the background build started), at most 10 s. */
  const archiveAsked = async (name: string) => {
    for (let i = 0; i < 200 && !callsOf(name).some((c) => c.endpoint === "archive" && c.status !== 0); i++) await sleep(50);
    return callsOf(name).filter((c) => c.endpoint === "archive");
  };

  it(".info, .mod, .zip one after another: the GitLab calls of one build, one archive, the h1 of the files", async () => {
    for (const file of ["v1.0.0.info", "v1.0.0.mod", "v1.0.0.zip"]) {
      const a = await ask(background, "solo", file);
      expect(a.status, text(a)).toBe(200);
    }
    // The tag and its commit asked at once (the commit by the tag's name is the tag's commit:
    // no second commit call), go.mod, the root .gitattributes with the archive.
    expect(
      callsOf("solo")
        .map((c) => c.endpoint)
        .sort(),
    ).toEqual(["archive", "commit", "file-raw", "file-raw", "project", "tag"]);
    expect(await h1Of(background, "solo")).toBe(hash1(`${HOST}/solo`, "v1.0.0", filesOf("solo")));
  });

  it("the build starts with the .info: the .zip asked later joins it or finds it stored, and is the zip a build of its own gives", async () => {
    const info = await ask(background, "joined", "v1.0.0.info");
    expect(info.status, text(info)).toBe(200);
    // Nobody asked for the zip yet: the archive is asked all the same.
    expect(await archiveAsked("joined")).toHaveLength(1);
    const zip = await ask(background, "joined", "v1.0.0.zip");
    expect(zip.status, text(zip)).toBe(200);
    expect(callsOf("joined").filter((c) => c.endpoint === "archive")).toHaveLength(1);
    // Without background builds, the same version's zip is the same bytes.
    const own = await ask(plain, "joined", "v1.0.0.zip");
    expect(own.status, text(own)).toBe(200);
    expect(Buffer.from(zip.body as Uint8Array).equals(Buffer.from(own.body as Uint8Array))).toBe(true);
    expect(await h1Of(background, "joined")).toBe(await h1Of(plain, "joined"));
  });

  it("a .info that fails starts no build", async () => {
    const before = lab.apiCalls.length;
    const info = await ask(background, "nothing", "v9.9.9.info");
    expect(info.status).toBe(404);
    await sleep(500);
    expect(callsOf("nothing", before).filter((c) => c.endpoint === "archive")).toEqual([]);
  });

  it("without background builds (a Worker), a .info asks no archive", async () => {
    const before = lab.apiCalls.length;
    const info = await ask(plain, "nothing", "v1.0.0.info");
    expect(info.status, text(info)).toBe(200);
    await sleep(500);
    expect(callsOf("nothing", before).filter((c) => c.endpoint === "archive")).toEqual([]);
  });

  it("a background build that fails (GitLab failing its archive) is nobody’s answer: the .zip builds again", async () => {
    lab.setMode("status", { status: 500, endpoints: ["archive"] });
    try {
      const info = await ask(background, "flaky", "v1.0.0.info");
      expect(info.status, text(info)).toBe(200);
      const failed = await archiveAsked("flaky");
      expect(failed.map((c) => c.status)).toEqual([500]);
    } finally {
      lab.setMode("ok");
    }
    const zip = await ask(background, "flaky", "v1.0.0.zip");
    expect(zip.status, text(zip)).toBe(200);
    expect(
      callsOf("flaky")
        .filter((c) => c.endpoint === "archive")
        .map((c) => c.status),
    ).toEqual([500, 200]);
    expect(await h1Of(background, "flaky")).toBe(hash1(`${HOST}/flaky`, "v1.0.0", filesOf("flaky")));
  });

  it("a .zip that joined a background build that failed answers what its own build gives", async () => {
    lab.setMode("status", { status: 500, endpoints: ["archive"] });
    let zip: PlainAnswer;
    let own: PlainAnswer;
    try {
      const info = await ask(background, "failing", "v1.0.0.info");
      expect(info.status, text(info)).toBe(200);
      // Asked at once, as the go command does: the build the .info started is still waiting for its archive.
      zip = await ask(background, "failing", "v1.0.0.zip");
      own = await ask(plain, "failing", "v1.0.0.zip");
    } finally {
      lab.setMode("ok");
    }
    // Joined, failed, built again (and failed again, GitLab still failing): two archives, the answer of a build of its own.
    expect(
      callsOf("failing")
        .filter((c) => c.endpoint === "archive")
        .map((c) => c.status),
    ).toEqual([500, 500, 500]);
    expect(own.status).toBe(502);
    expect({ status: zip.status, body: text(zip) }).toEqual({ status: own.status, body: text(own) });
    // Nothing was kept of the failures: with GitLab answering, the zip is built.
    const again = await ask(background, "failing", "v1.0.0.zip");
    expect(again.status, text(again)).toBe(200);
  });

  it(
    `at most ${MAX_BACKGROUND_BUILDS} background builds at once: a burst of cold .info starts no more, and its zips still build when asked`,
    { timeout: 60_000 },
    async () => {
      const burst = ["burst1", "burst2", "burst3"];
      // Every GitLab answer takes a second: the builds the .info answers start are still running when the last .info is answered.
      lab.setMode("slow", 1000);
      try {
        const infos = await Promise.all(burst.map((name) => ask(background, name, "v1.0.0.info")));
        for (const a of infos) expect(a.status, text(a)).toBe(200);
        await sleep(300);
        const building = burst.filter((name) => callsOf(name).some((c) => c.endpoint === "archive"));
        expect(building).toHaveLength(MAX_BACKGROUND_BUILDS);
      } finally {
        lab.setMode("ok");
      }
      for (const name of burst) {
        const zip = await ask(background, name, "v1.0.0.zip");
        expect(zip.status, text(zip)).toBe(200);
        expect(callsOf(name).filter((c) => c.endpoint === "archive")).toHaveLength(1);
      }
    },
  );

  it("a version whose zip the go command refuses: the .zip answers the same error with or without a background build", async () => {
    const info = await ask(background, "broken", "v1.0.0.info");
    expect(info.status, text(info)).toBe(200);
    await archiveAsked("broken");
    const zip = await ask(background, "broken", "v1.0.0.zip");
    const own = await ask(plain, "broken", "v1.0.0.zip");
    expect(own.status, text(own)).toBe(404);
    expect(text(own)).toMatch(/case-insensitive file name collision/);
    expect({ status: zip.status, body: text(zip) }).toEqual({ status: own.status, body: text(own) });
  });
});
