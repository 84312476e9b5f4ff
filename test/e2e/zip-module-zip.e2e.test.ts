// The zip library end to end with the go command as the oracle: a repository with vendor
// directories, a nested module, a symlink, a submodule, .gitattributes conversions (including
// export-ignore and export-subst, which GitLab's archive applies and the go command does not),
// a non-ASCII name and a module in a subdirectory. modgate's pieces build each zip from what
// GitLab would give (the tree listing, `git archive` as Gitaly runs it, raw blobs), and the h1
// must equal `go mod download -json`'s Sum in direct mode (GOPROXY=direct, file:// via insteadOf,
// docs/go-rules.md §0); the zip must also pass Python's zipfile test.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGoEnv, isolatedGitEnv, makeTempDir, removeDir, requireTools, toolPath, type GoEnv } from "./harness/index.js";
import { bytesSource, openArchive, type ArchiveEntry } from "../../src/proxy/zip/archive-reader.js";
import { GitAttributes } from "../../src/proxy/zip/gitattributes.js";
import { toWorkingTree } from "../../src/proxy/zip/convert.js";
import { checkedFilesError, checkFiles } from "../../src/proxy/zip/check-files.js";
import { bytesFile, type ModuleFile } from "../../src/proxy/zip/file.js";
import { createModuleZip } from "../../src/proxy/zip/module-zip.js";

const haveTools = requireTools("git", "go");

const FILES: Record<string, string | { mode: string; content: string }> = {
  "go.mod": "module example.com/m.git\n\ngo 1.21\n",
  "a.go": "package m\n\nconst A = 1\n",
  ".gitattributes": ["*.txt eol=crlf", "ident.go ident", "ignored.go export-ignore", "subst.go export-subst", "auto.dat text=auto eol=crlf"].join("\n") + "\n",
  "crlf.txt": "one\ntwo\n",
  "auto.dat": "x\ny\n",
  "ident.go": "package m\n\n// $Id$\n",
  "ignored.go": "package m\n\nconst Ignored = true\n",
  "subst.go": "package m\n\n// $Format:%H$\n",
  "vendor/modules.txt": "# vendored\n",
  "vendor/example.com/x/x.go": "package x\n",
  "pkg/vendor/v.go": "package vendor\n",
  "nested/go.mod": "module example.com/m.git/nested\n",
  "nested/n.go": "package nested\n",
  "é.go": "package m\n",
  ".hg_archival.txt": "repo: x\n",
  LICENSE: "root licence\n",
  "link.go": { mode: "120000", content: "a.go" },
  "run.sh": { mode: "100755", content: "#!/bin/sh\n" },
  "sub/go.mod": "module example.com/m.git/sub\n\ngo 1.24\n",
  "sub/s.go": "package sub\n",
  "sub/vendor/modules.txt": "# vendored\n",
  "sub/pkg/vendor/v.go": "package vendor\n",
  "sub/notes.txt": "crlf\nplease\n",
};

interface TreeEntry {
  mode: string;
  id: string;
  path: string;
}

describe.skipIf(!haveTools)("createModuleZip h1 equals the go command (direct mode)", () => {
  let dir: string;
  let bare: string;
  let go: GoEnv;
  const gitEnv = () => isolatedGitEnv();
  const git = (args: string[], input?: Buffer) => execFileSync(toolPath("git"), args, { cwd: bare, env: gitEnv(), input, maxBuffer: 1 << 28 });

  beforeAll(async () => {
    dir = await makeTempDir("zip-h1");
    bare = join(dir, "repos", "m.git");
    await mkdir(bare, { recursive: true });
    git(["init", "-q", "--bare"]);
    const parts: Buffer[] = [Buffer.from("commit refs/heads/main\ncommitter e2e <e2e@modgate.invalid> 1700000000 +0300\ndata 3\nm1\n")];
    for (const [path, spec] of Object.entries(FILES)) {
      const { mode, content } = typeof spec === "string" ? { mode: "100644", content: spec } : spec;
      const bytes = Buffer.from(content);
      parts.push(Buffer.from(`M ${mode} inline ${path}\ndata ${bytes.length}\n`), bytes, Buffer.from("\n"));
    }
    // A submodule: a gitlink to a commit that is not in this repository, as usual.
    parts.push(Buffer.from("M 160000 1111111111111111111111111111111111111111 third_party/lib\n"));
    git(["fast-import", "--quiet"], Buffer.concat(parts));
    git(["symbolic-ref", "HEAD", "refs/heads/main"]);
    git(["tag", "v1.0.0", "main"]);
    git(["tag", "sub/v1.0.0", "main"]);
    const gitconfig = join(dir, "gitconfig");
    await writeFile(gitconfig, `[url "file://${join(dir, "repos")}/"]\n\tinsteadOf = https://example.com/\n`);
    go = await createGoEnv({ env: { GIT_CONFIG_GLOBAL: gitconfig } });
  });

  afterAll(async () => {
    await go?.close();
    if (dir) await removeDir(dir);
  });

  /** What the lead's GitLab side will do, in miniature: tree listing + archive + raw blobs for what the archive cannot give. */
  async function buildZip(modulePath: string, version: string, moduleDir: string) {
    const tree: TreeEntry[] = git(["ls-tree", "-r", "-z", version])
      .toString("utf8")
      .split("\0")
      .filter(Boolean)
      .map((line) => {
        const [meta, path] = line.split("\t") as [string, string];
        const [mode, , id] = meta.split(" ") as [string, string, string];
        return { mode, id, path };
      });
    const raw = (id: string) => new Uint8Array(git(["cat-file", "blob", id]));
    const attrs = new GitAttributes(
      tree
        .filter((t) => t.path === ".gitattributes" || t.path.endsWith("/.gitattributes"))
        .map((t) => ({ dir: t.path.includes("/") ? t.path.slice(0, t.path.lastIndexOf("/")) : "", content: raw(t.id), isSymlink: t.mode === "120000" })),
    );
    // Gitaly: git archive with core.autocrlf=input and no attribute override (export-* honoured).
    const archiveBytes = git(["-c", "core.autocrlf=input", "archive", "--format=zip", "--prefix=m-top/", version]);
    const archive = await openArchive(bytesSource(new Uint8Array(archiveBytes)));
    const byPath = new Map<string, ArchiveEntry>(archive.entries.map((e) => [e.name.slice("m-top/".length), e]));
    const prefix = moduleDir === "" ? "" : `${moduleDir}/`;
    const files: ModuleFile[] = [];
    for (const t of tree.filter((e) => e.path.startsWith(prefix))) {
      const rel = t.path.slice(prefix.length);
      if (t.mode === "160000") {
        files.push({ path: rel, kind: "submodule", size: 0, open: () => Promise.reject(new Error("gitlink")) });
        continue;
      }
      if (t.mode === "120000") {
        files.push(bytesFile(rel, raw(t.id), "symlink"));
        continue;
      }
      const a = attrs.of(t.path);
      const entry = byPath.get(t.path);
      if (entry !== undefined && a["export-subst"] !== true) {
        const size = entry.size;
        files.push({ path: rel, kind: "file", size, open: async () => archive.open(entry) });
      } else {
        files.push(bytesFile(rel, toWorkingTree(raw(t.id), a, t.id, t.path)));
      }
    }
    // The go command adds the root LICENSE (raw) to a module in a subdirectory that has none.
    const license = tree.find((t) => t.path === "LICENSE");
    if (moduleDir !== "" && !files.some((f) => f.path === "LICENSE") && license) files.push(bytesFile("LICENSE", raw(license.id)));
    const goMod = files.find((f) => f.path === "go.mod");
    const goVersion = goMod ? /^go\s+(\S+)/m.exec(new TextDecoder().decode(raw(tree.find((t) => t.path === `${prefix}go.mod`)!.id)))?.[1] : undefined;
    const checked = checkFiles(files, { goVersion });
    expect(checkedFilesError(checked)).toBeUndefined();
    const zip = createModuleZip({ modulePath, version: version.slice(version.lastIndexOf("/") + 1), files: checked.valid });
    const chunks: Uint8Array[] = [];
    for await (const c of zip.stream as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
    return { bytes: Buffer.concat(chunks), summary: await zip.done, checked };
  }

  async function goZipNames(info: { Zip?: string }): Promise<string[]> {
    const { unzipSync } = await import("fflate");
    return Object.keys(unzipSync(new Uint8Array(await readFile(info.Zip!)))).sort();
  }

  async function mineNames(bytes: Buffer): Promise<string[]> {
    const { unzipSync } = await import("fflate");
    return Object.keys(unzipSync(new Uint8Array(bytes))).sort();
  }

  it.each([
    ["example.com/m.git", "v1.0.0", ""],
    ["example.com/m.git/sub", "sub/v1.0.0", "sub"],
  ])("%s@%s", async (modulePath, tag, moduleDir) => {
    const version = tag.slice(tag.lastIndexOf("/") + 1);
    const result = await go.goModDownload(`${modulePath}@${version}`);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const info = result.info!;
    const mine = await buildZip(modulePath, tag, moduleDir);
    // Same names first (the clearer failure), then the same content through h1.
    expect(await mineNames(mine.bytes)).toEqual(await goZipNames(info));
    expect(mine.summary.h1).toBe(info.Sum);
    expect(mine.summary.size).toBe(mine.bytes.length);
    expect(mine.summary.fileCount).toBe(mine.checked.valid.length);
    const zipPath = join(dir, `${moduleDir || "root"}.zip`);
    await writeFile(zipPath, mine.bytes);
    execFileSync("python3", ["-m", "zipfile", "-t", zipPath]);
    if (moduleDir === "") {
      // The case must exercise every omission rule, not only pass files through.
      expect(mine.checked.omitted.map((o) => o.path).sort()).toEqual(
        [
          ".hg_archival.txt",
          "link.go",
          "nested/go.mod",
          "nested/n.go",
          "pkg/vendor/v.go",
          "sub/go.mod",
          "sub/notes.txt",
          "sub/pkg/vendor/v.go",
          "sub/s.go",
          "sub/vendor/modules.txt",
          "third_party/lib",
          "vendor/example.com/x/x.go",
        ].sort(),
      );
    }
  });
});
