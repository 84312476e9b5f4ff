// .gitattributes evaluation and working-tree conversion against the real git: a repository
// full of attribute cases is archived exactly as the go command archives it
// (cmd/go/internal/modfetch/codehost/git.go: `* -export-subst -export-ignore` appended to
// info/attributes, `git -c core.autocrlf=input -c core.eol=lf archive --format=zip`), and every
// regular file's raw blob, converted by modgate, must equal git's archive entry byte for byte.
// The archive is read with modgate's own archive reader, so that is checked on git's output too.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedGitEnv, makeTempDir, removeDir, requireTools, runOk, toolPath } from "./harness/index.js";
import { bytesSource, openArchive, type ArchiveReader } from "../../src/proxy/zip/archive-reader.js";
import { GitAttributes, type AttrValue } from "../../src/proxy/zip/gitattributes.js";
import { toWorkingTree } from "../../src/proxy/zip/convert.js";
import { blobId } from "../../src/proxy/zip/blob-id.js";

const haveGit = requireTools("git");

const ROOT_ATTRIBUTES = [
  "# comment line",
  "[attr]mytext text eol=crlf",
  "*.crlf eol=crlf",
  "*.auto text=auto eol=crlf",
  "*.autolf text=auto eol=lf",
  "*.autoonly text=auto",
  "*.bin binary",
  "*.binset binary eol=crlf",
  "*.notext -text",
  "*.notexteol -text eol=crlf",
  "*.lf text eol=lf",
  "*.text text",
  "*.legacy crlf",
  "*.legacyin crlf=input",
  "*.legacyoff -crlf eol=crlf",
  "*.textin text=input eol=crlf",
  "*.id ident",
  "*.idcrlf ident eol=crlf",
  "*.u16 working-tree-encoding=UTF-16LE",
  "*.u16be working-tree-encoding=UTF-16BE",
  "*.u16bom working-tree-encoding=UTF-16",
  "*.u16lebom working-tree-encoding=UTF-16LE-BOM",
  "*.u32 working-tree-encoding=UTF-32",
  "*.u32be working-tree-encoding=UTF-32BE",
  "*.u16crlf working-tree-encoding=UTF-16LE eol=crlf",
  "*.utf8 working-tree-encoding=utf-8 eol=crlf",
  "*.macro mytext",
  "*.macrooff -mytext",
  "*.both eol=crlf binary",
  "*.both2 binary eol=crlf text",
  "*.unspec eol=crlf !eol",
  "*.later eol=crlf",
  "*.later eol=lf",
  "ignored.txt export-ignore eol=crlf",
  "subst.txt export-subst",
  "docs/ eol=crlf",
  "/anchored.txt eol=crlf",
  "deep/**/x.txt eol=crlf",
  "**/any.txt eol=crlf",
  "tail/** eol=crlf",
  "a/*.txt eol=crlf",
  "q?.txt eol=crlf",
  "r[0-4].txt eol=crlf",
  "r[!0-4].txt ident",
  '"quoted name.txt" eol=crlf',
  "!neg.txt eol=crlf",
  "bad.txt eol=crlf in%valid",
  "filtered.txt filter=lfs eol=crlf",
].join("\n");

const NESTED_ATTRIBUTES = ["*.crlf -text", "[attr]nested eol=crlf", "*.sub eol=crlf", "*.nest nested", "/top.txt eol=crlf", "x/*.txt eol=crlf"].join("\r\n");

/** Contents that exercise git's text/binary heuristics, CR/LF mixes and ident forms. */
const CONTENTS: Record<string, Buffer> = {
  lf: Buffer.from("a\nb\n"),
  crlfmix: Buffer.from("a\r\nb\nc\r\n"),
  crlfonly: Buffer.from("a\r\nb\r\n"),
  lonecr: Buffer.from("a\rb\nc\n"),
  nul: Buffer.from("a\0b\nc\n"),
  eof: Buffer.from("a\nb\n\x1a"),
  noeol: Buffer.from("abc"),
  empty: Buffer.alloc(0),
  ctrl1in100: Buffer.from(`${"x".repeat(100)}\x01\n`),
  ctrl1in200: Buffer.from(`${"x".repeat(200)}\x01\n`),
  ctrl2in200: Buffer.from(`${"x".repeat(200)}\x01\x02\n`),
  del: Buffer.from(`${"x".repeat(127)}\x7f\n`),
  okctrl: Buffer.from("a\b\t\x1b\x0cb\n"),
  ident: Buffer.from("$Id$\nx $Id: old $ y\n$Id: foo bar $\n$Id:x\ny$\n$Id:$ $Id: a$ $Id:$Id$\n$Id"),
  identeof: Buffer.from("z $Id: never closed\n"),
  utf8: Buffer.from("héllo wörld 😀\n"),
  badutf8: Buffer.from([0x61, 0xff, 0x0a]),
};

const EXTENSIONS = ROOT_ATTRIBUTES.split("\n")
  .map((l) => /^\*\.(\w+) /.exec(l)?.[1])
  .filter((e): e is string => e !== undefined)
  .concat(["plain"]);

const SPECIAL_FILES = [
  "docs/a.txt",
  "anchored.txt",
  "sub/anchored.txt",
  "deep/x.txt",
  "deep/a/b/x.txt",
  "sub/deep/x.txt",
  "any.txt",
  "p/q/any.txt",
  "tail/t.txt",
  "tail/u/t.txt",
  "a/b.txt",
  "a/c/b.txt",
  "qa.txt",
  "qab.txt",
  "qé.txt",
  "dé/any.txt",
  "r3.txt",
  "r7.txt",
  "quoted name.txt",
  "neg.txt",
  "!neg.txt",
  "bad.txt",
  "ignored.txt",
  "filtered.txt",
  "nested/a.crlf",
  "nested/b.sub",
  "nested/c.nest",
  "nested/top.txt",
  "nested/deeper/top.txt",
  "nested/x/y.txt",
  "nested/deeper/d.crlf",
  "nested/deeper/e.sub",
  "linked/f.crlf",
];

interface TreeFile {
  mode: string;
  id: string;
  path: string;
}

describe.skipIf(!haveGit)(".gitattributes conversions equal git archive (the go command settings)", () => {
  let dir: string;
  let repo: string;
  let tree: TreeFile[];
  let archive: ArchiveReader;
  let checkAttr: Map<string, Map<string, string>>;
  const env = () => isolatedGitEnv();
  const git = async (args: string[]) => (await runOk(toolPath("git"), args, { cwd: repo, env: env() })).stdout;

  beforeAll(async () => {
    dir = await makeTempDir("zip-attrs");
    repo = join(dir, "repo");
    await mkdir(repo);
    await git(["init", "-q"]);
    // Blobs go in raw through fast-import: `git add` would apply the to-git conversions
    // (CRLF normalisation, working-tree-encoding) and lose the cases under test.
    const files = new Map<string, { mode: string; content: Buffer }>();
    const put = (path: string, content: Buffer | string, mode = "100644") => files.set(path, { mode, content: Buffer.from(content) });
    put(".gitattributes", ROOT_ATTRIBUTES);
    put("nested/.gitattributes", NESTED_ATTRIBUTES);
    put("nested/deeper/.gitattributes", "*.sub -text\n");
    put("real/attrs", "*.crlf -text\n");
    put("linked/.gitattributes", "../real/attrs", "120000");
    for (const ext of EXTENSIONS) {
      for (const [name, content] of Object.entries(CONTENTS)) put(`${name}.${ext}`, content);
    }
    for (const path of SPECIAL_FILES) put(path, CONTENTS.lf!);
    put("subst.txt", "$Format:%H$\n");
    put("run.sh", "#!/bin/sh\necho hi\n", "100755");
    put("u16.bom", Buffer.from("\ufeffbom first\n"));
    const message = "attributes\n";
    const parts: Buffer[] = [Buffer.from(`commit refs/heads/main\ncommitter e2e <e2e@modgate.invalid> 1700000000 +0000\ndata ${message.length}\n${message}`)];
    for (const [path, { mode, content }] of files) {
      parts.push(Buffer.from(`M ${mode} inline ${path}\ndata ${content.length}\n`), content, Buffer.from("\n"));
    }
    execFileSync(toolPath("git"), ["fast-import", "--quiet"], { cwd: repo, env: env(), input: Buffer.concat(parts) });
    await git(["symbolic-ref", "HEAD", "refs/heads/main"]);
    await git(["read-tree", "HEAD"]);
    tree = (await git(["ls-tree", "-r", "-z", "HEAD"]))
      .split("\0")
      .filter(Boolean)
      .map((line) => {
        const [meta, path] = line.split("\t") as [string, string];
        const [mode, , id] = meta.split(" ") as [string, string, string];
        return { mode, id, path };
      });
    // Attributes as git reports them, before the go command's override is added.
    checkAttr = new Map();
    const regular = tree.filter((f) => f.mode !== "120000").map((f) => f.path);
    const out = await git(["check-attr", "--cached", "-z", ...ATTRS, "--", ...regular]);
    const fields = out.split("\0");
    for (let i = 0; i + 2 < fields.length; i += 3) {
      const [path, attr, info] = [fields[i]!, fields[i + 1]!, fields[i + 2]!];
      if (!checkAttr.has(path)) checkAttr.set(path, new Map());
      checkAttr.get(path)!.set(attr, info);
    }
    // What the go command does before archiving (ensureGitAttributes).
    await writeFile(join(repo, ".git/info/attributes"), "\n* -export-subst -export-ignore\n", { flag: "a" });
    const zipPath = join(dir, "out.zip");
    await git(["-c", "core.autocrlf=input", "-c", "core.eol=lf", "archive", "--format=zip", "--prefix=p/", "-o", zipPath, "HEAD"]);
    archive = await openArchive(bytesSource(new Uint8Array(await readFile(zipPath))), { chunkSize: 7 });
  });

  afterAll(async () => {
    if (dir) await removeDir(dir);
  });

  const ATTRS = ["text", "eol", "crlf", "ident", "working-tree-encoding", "filter", "export-ignore", "export-subst"] as const;

  function attributes(): GitAttributes {
    return new GitAttributes(
      tree
        .filter((f) => f.path === ".gitattributes" || f.path.endsWith("/.gitattributes"))
        .map((f) => ({
          dir: f.path === ".gitattributes" ? "" : f.path.slice(0, -"/.gitattributes".length),
          content: CONTENT_OF.get(f.path)!,
          isSymlink: f.mode === "120000",
        })),
    );
  }
  const CONTENT_OF = new Map<string, Uint8Array>();

  async function rawBytes(id: string): Promise<Uint8Array> {
    return new Uint8Array(execFileSync(toolPath("git"), ["cat-file", "blob", id], { cwd: repo, env: env() }));
  }

  it("computes the attributes git check-attr reports for every file", async () => {
    for (const f of tree.filter((t) => t.path.endsWith(".gitattributes"))) CONTENT_OF.set(f.path, await rawBytes(f.id));
    const attrs = attributes();
    const show = (v: AttrValue) => (v === true ? "set" : v === false ? "unset" : v === undefined ? "unspecified" : v);
    const mismatches: string[] = [];
    for (const [path, expected] of checkAttr) {
      const mine = attrs.of(path);
      for (const name of ATTRS) {
        if (show(mine[name]) !== expected.get(name)) mismatches.push(`${path} ${name}: git ${expected.get(name)}, modgate ${show(mine[name])}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checkAttr.size).toBeGreaterThan(400);
  });

  it("converts every regular file to exactly what git archive wrote", async () => {
    const attrs = attributes();
    const entries = new Map(archive.entries.map((e) => [e.name, e]));
    const mismatches: string[] = [];
    let converted = 0;
    for (const f of tree.filter((t) => t.mode !== "120000")) {
      const entry = entries.get(`p/${f.path}`);
      if (!entry) {
        mismatches.push(`${f.path}: not in git's archive`);
        continue;
      }
      const gitBytes = await readEntry(archive, entry);
      const blob = await rawBytes(f.id);
      expect(blobId(blob)).toBe(f.id);
      const mine = toWorkingTree(blob, attrs.of(f.path), f.id, f.path);
      if (Buffer.compare(Buffer.from(mine), Buffer.from(gitBytes)) !== 0) {
        mismatches.push(
          `${f.path}: git ${JSON.stringify(Buffer.from(gitBytes).toString("latin1"))}, modgate ${JSON.stringify(Buffer.from(mine).toString("latin1"))}`,
        );
      }
      if (Buffer.compare(Buffer.from(blob), Buffer.from(gitBytes)) !== 0) converted++;
    }
    expect(mismatches).toEqual([]);
    // The table must really exercise conversions, not only pass raw blobs through.
    expect(converted).toBeGreaterThan(50);
  });

  it("reads directories and symlinks from git archive as the go command does", () => {
    const byName = new Map(archive.entries.map((e) => [e.name, e]));
    expect(byName.get("p/nested/")?.isDirectory).toBe(true);
    expect(byName.get("p/linked/.gitattributes")?.isSymlink).toBe(true);
    expect(byName.get("p/lf.plain")?.isSymlink).toBe(false);
    expect(byName.get("p/lf.plain")?.isDirectory).toBe(false);
  });
});

async function readEntry(archive: ArchiveReader, entry: ArchiveReader["entries"][number]): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of archive.open(entry) as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  return new Uint8Array(Buffer.concat(chunks));
}
