// Serving zips (issue 10): one build per version at a time, and large zips streamed, not held.
// - 50 concurrent requests for a cold zip cost one set of GitLab calls: the same calls, in
//   number and kind, as a single request for an identical module (and exactly one archive).
// - A ~150 MiB module of incompressible files goes through `modgate serve` to the go command,
//   which accepts it with the h1 computed here from the files themselves. The process's resident
//   memory is sampled while it builds and streams; the figures are printed, not asserted (they
//   depend on the machine), only correctness is.
import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGoEnv,
  createRepoRoot,
  goMod,
  httpRequest,
  makeRepo,
  makeTempDir,
  removeDir,
  requireTools,
  startGitLabStandIn,
  startModgateNode,
  type GitLabApiCall,
  type GitLabStandIn,
  type RepoRoot,
  type RunningModgate,
} from "./harness/index.js";

const HOST = "go.example.com";
const TOKEN = "glpat-proxy-builds-token";
const BIG_FILES = 10;
const BIG_FILE_BYTES = 15 * 1024 * 1024;
const CONCURRENT = 50;

/** dirhash.Hash1 (x/mod/sumdb/dirhash), written here from its definition, independent of src/. */
function hash1(modulePath: string, version: string, files: Record<string, Uint8Array | string>): string {
  const lines = Object.keys(files)
    .map((name) => `${modulePath}@${version}/${name}`)
    .sort()
    .map((full) => {
      const name = full.slice(`${modulePath}@${version}/`.length);
      return `${createHash("sha256").update(files[name]!).digest("hex")}  ${full}\n`;
    });
  return "h1:" + createHash("sha256").update(lines.join("")).digest("base64");
}

/** Resident and peak resident memory of a process, in MiB (Linux /proc). */
async function memoryOf(pid: number): Promise<{ rss: number; hwm: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rss: kib("VmRSS") / 1024, hwm: kib("VmHWM") / 1024 };
  } catch {
    return undefined;
  }
}

/** The kind of each call for one project, sorted: what a build cost at GitLab. */
function callsFor(calls: readonly GitLabApiCall[], project: string): string[] {
  return calls
    .filter((c) => c.id === project)
    .map((c) => c.endpoint)
    .sort();
}

describe.skipIf(!requireTools("go", "git"))("zip builds: one per version, streamed", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let modgate: RunningModgate;
  let dir: string;
  const bigFiles: Record<string, Uint8Array | string> = { "go.mod": goMod(`${HOST}/big`) };

  beforeAll(async () => {
    repos = await createRepoRoot();
    // Two identical modules: one asked once, one asked 50 times at once.
    for (const p of ["solo", "cold"]) {
      const files: Record<string, string> = { "go.mod": goMod(`${HOST}/${p}`) };
      for (let i = 0; i < 20; i++) files[`pkg/f${i}.go`] = `package pkg\n\nconst F${i} = ${i}\n`;
      await makeRepo(repos.dir, `platform/${p}`, { files, tags: ["v1.0.0"] });
    }
    for (let i = 0; i < BIG_FILES; i++) bigFiles[`data/blob${i}.bin`] = new Uint8Array(randomBytes(BIG_FILE_BYTES));
    await makeRepo(repos.dir, "platform/big", { files: bigFiles, tags: ["v1.0.0"] });
    lab = await startGitLabStandIn({
      root: repos.dir,
      token: TOKEN,
      projects: ["solo", "cold", "big"].map((p) => ({ path: `platform/${p}`, visibility: "public" as const })),
    });
    dir = await makeTempDir("proxy-builds");
    const config = join(dir, "modgate.yaml");
    // apiTimeout covers an archive until its headers arrive. The stand-in runs git archive to the
    // end before it answers (GitLab's workhorse streams, headers first), which takes seconds for
    // 150 MiB of incompressible data on a small machine.
    await writeFile(
      config,
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\n  apiTimeout: 60\nproxy:\n  enabled: true\n  cacheDir: ${join(dir, "store")}\nmodules:\n` +
        ["solo", "cold", "big"].map((p) => `  - path: ${HOST}/${p}\n    project: platform/${p}\n`).join(""),
    );
    modgate = await startModgateNode(config);
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), lab?.close()]);
    await Promise.allSettled([repos?.close(), dir && removeDir(dir)]);
  });

  it(`${CONCURRENT} concurrent requests for a cold zip: one archive call, the GitLab calls of one request`, async () => {
    const solo = await httpRequest(modgate.url, { path: `/${HOST}/solo/@v/v1.0.0.zip` });
    expect(solo.status, solo.body.toString().slice(0, 300)).toBe(200);
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => httpRequest(modgate.url, { path: `/${HOST}/cold/@v/v1.0.0.zip` })));
    for (const a of answers) {
      expect(a.status, a.body.toString().slice(0, 300)).toBe(200);
      expect(a.body.equals(answers[0]!.body)).toBe(true);
    }
    const cold = callsFor(lab.apiCalls, "platform/cold");
    expect(cold.filter((e) => e === "archive")).toEqual(["archive"]);
    expect(cold).toEqual(callsFor(lab.apiCalls, "platform/solo"));
  });

  it(`a ${(BIG_FILES * BIG_FILE_BYTES) / 2 ** 20} MiB module of incompressible files: streamed to the go command, h1 right`, async () => {
    const pid = modgate.child.pid!;
    const before = await memoryOf(pid);
    let peakRss = before?.rss ?? 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const m = await memoryOf(pid);
        if (m) peakRss = Math.max(peakRss, m.rss);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const go = await createGoEnv({ env: { GOPROXY: modgate.url } });
    let downloaded;
    try {
      downloaded = await go.goModDownload(`${HOST}/big@v1.0.0`);
    } finally {
      sampling = false;
      await sampler;
      await go.close();
    }
    const after = await memoryOf(pid);
    const head = await httpRequest(modgate.url, { path: `/${HOST}/big/@v/v1.0.0.zip`, method: "HEAD" });
    console.log(
      `proxy-builds: zip of ${BIG_FILES}×${BIG_FILE_BYTES / 2 ** 20} MiB random files = ${(Number(head.headers["content-length"]) / 2 ** 20).toFixed(1)} MiB; ` +
        `modgate RSS before ${before?.rss.toFixed(0)} MiB, sampled peak ${peakRss.toFixed(0)} MiB, after ${after?.rss.toFixed(0)} MiB, VmHWM ${after?.hwm.toFixed(0)} MiB`,
    );
    expect(downloaded.code, `${downloaded.stderr}\n${modgate.output().slice(-2000)}`).toBe(0);
    expect(downloaded.info?.Sum).toBe(hash1(`${HOST}/big`, "v1.0.0", bigFiles));
    expect(Number(head.headers["content-length"])).toBeGreaterThan(BIG_FILES * BIG_FILE_BYTES);
  });
});
