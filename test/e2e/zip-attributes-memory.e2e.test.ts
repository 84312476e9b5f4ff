// Finding 5 at its own shape: a tag whose nested .gitattributes is 96 MiB of highly compressible
// text (one rule, then "#\n" to the end: under git's 100 MiB limit, so git reads and applies it).
// It was read whole, decoded to one string and split into 50 million lines: modgate went from
// 80 MB to 718 MB resident. Now it is read into one buffer of its declared size and parsed over
// the bytes. `modgate serve` runs as a child; its peak resident memory (VmHWM, /proc) must grow by
// less than a generous bound, and the zip's h1 must be what the go command's own git archive gives
// (docs/go-rules.md §4.1: `* -export-subst -export-ignore`, core.autocrlf=input, core.eol=lf).
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync } from "fflate";
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
  type BareRepo,
  type GitLabStandIn,
  type RepoRoot,
  type RunningModgate,
} from "./harness/index.js";
import { gitBytes } from "./harness/git-read.js";

const HOST = "go.example.com";
const TOKEN = "glpat-attributes-memory";
const MODULE = `${HOST}/attrs`;
const ATTRIBUTES_BYTES = 96 * 1024 * 1024;
/** Peak resident growth allowed while the zip is built: the file's own buffer and change (unfixed: ~640 MiB). */
const MAX_GROWTH_MIB = 300;

/** Peak resident memory (VmHWM) of a process, in MiB. */
async function peakOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}

/** dirhash.Hash1 over a zip's files (directories skipped), written here from its definition. */
function hash1OfZip(zip: Uint8Array, prefix: (name: string) => string | undefined): string {
  const files = unzipSync(zip);
  const lines: { name: string; data: Uint8Array }[] = [];
  for (const n of Object.keys(files)) {
    const name = prefix(n);
    if (!n.endsWith("/") && name !== undefined) lines.push({ name, data: files[n]! });
  }
  const sorted = lines
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${createHash("sha256").update(f.data).digest("hex")}  ${f.name}\n`);
  return "h1:" + createHash("sha256").update(sorted.join("")).digest("base64");
}

describe.skipIf(!requireTools("go", "git"))("a 96 MiB compressible nested .gitattributes (finding 5)", () => {
  let repos: RepoRoot;
  let repo: BareRepo;
  let lab: GitLabStandIn;
  let modgate: RunningModgate;
  let dir: string;

  beforeAll(async () => {
    repos = await createRepoRoot();
    const rule = Buffer.from("*.txt eol=crlf\n");
    const attributes = Buffer.alloc(ATTRIBUTES_BYTES);
    attributes.set(rule);
    for (let at = rule.length; at + 2 <= ATTRIBUTES_BYTES; at += 2) attributes.write("#\n", at, "latin1");
    repo = await makeRepo(repos.dir, "platform/attrs", {
      files: {
        "go.mod": goMod(MODULE),
        "attrs.go": "package attrs\n",
        "sub/.gitattributes": attributes,
        "sub/a.txt": "one\ntwo\n",
        "top.txt": "top\n",
      },
      tags: ["v1.0.0"],
    });
    lab = await startGitLabStandIn({ root: repos.dir, token: TOKEN, projects: [{ path: "platform/attrs", visibility: "public" as const }] });
    dir = await makeTempDir("zip-attributes-memory");
    const config = join(dir, "modgate.yaml");
    await writeFile(
      config,
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\n  apiTimeout: 60\nproxy:\n  enabled: true\n  cacheDir: ${join(dir, "store")}\nmodules:\n  - path: ${MODULE}\n    project: platform/attrs\n`,
    );
    modgate = await startModgateNode(config, { MODGATE_LOG: "off" });
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), lab?.close()]);
    await Promise.allSettled([repos?.close(), dir && removeDir(dir)]);
  });

  it("builds the zip with bounded memory, and its h1 is the go command git archive h1", async () => {
    // What direct mode zips: git archive as the go command runs it (codehost/git.go ReadZip).
    const info = join(repo.dir, "info");
    await mkdir(info, { recursive: true });
    await writeFile(join(info, "attributes"), "* -export-subst -export-ignore\n");
    const archive = await gitBytes(repo.dir, ["-c", "core.autocrlf=input", "-c", "core.eol=lf", "archive", "--format=zip", "--prefix=top/", "v1.0.0"]);
    expect(archive.code, archive.stderr).toBe(0);
    const direct = hash1OfZip(archive.stdout, (n) => (n.startsWith("top/") ? `${MODULE}@v1.0.0/${n.slice(4)}` : undefined));
    // git applied the nested rule (it is under its limit): sub/a.txt has CRLF in direct mode.
    expect(Buffer.from(unzipSync(archive.stdout)["top/sub/a.txt"]!).toString()).toBe("one\r\ntwo\r\n");

    const pid = modgate.child.pid!;
    const before = await peakOf(pid);
    const zip = await httpRequest(modgate.url, { path: `/${MODULE}/@v/v1.0.0.zip` });
    const after = await peakOf(pid);
    console.log(`zip-attributes-memory: modgate VmHWM ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after the zip (bound: +${MAX_GROWTH_MIB} MiB)`);
    expect(zip.status, `${zip.body.toString().slice(0, 300)}\n${modgate.output().slice(-2000)}`).toBe(200);
    const proxied = hash1OfZip(new Uint8Array(zip.body), (n) => n);
    expect(proxied).toBe(direct);
    expect(after - before).toBeLessThan(MAX_GROWTH_MIB);

    // And the go command takes it from modgate with the same sum.
    const go = await createGoEnv({ env: { GOPROXY: modgate.url } });
    try {
      const downloaded = await go.goModDownload(`${MODULE}@v1.0.0`);
      expect(downloaded.code, downloaded.stderr).toBe(0);
      expect(downloaded.info?.Sum).toBe(direct);
    } finally {
      await go.close();
    }
  });
});
