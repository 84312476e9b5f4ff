// Reads a bare repository with the git CLI, the way Gitaly does for GitLab's repository API:
// refs, commits, trees, blobs and archives, as plain data for gitlab-repository-api.ts.
import { spawn } from "node:child_process";
import { isolatedGitEnv } from "./git-env.js";
import { toolPath } from "./tools.js";

export interface GitBytes {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs git in `dir`; stdout as bytes (blobs and zips are binary). Never rejects on exit codes. */
export function gitBytes(dir: string, args: readonly string[], input?: string): Promise<GitBytes> {
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath("git"), args, { cwd: dir, env: isolatedGitEnv(), stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(chunks), stderr }));
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}

async function gitText(dir: string, args: readonly string[], input?: string): Promise<string | undefined> {
  const r = await gitBytes(dir, args, input);
  return r.code === 0 ? r.stdout.toString("utf8") : undefined;
}

/** A git identity's time as `<unix seconds> <±hhmm>` (git's raw date). */
export interface RawDate {
  seconds: number;
  /** Offset east of UTC in minutes. */
  offsetMinutes: number;
}

export interface CommitInfo {
  id: string;
  parentIds: string[];
  authorName: string;
  authorEmail: string;
  authored: RawDate;
  committerName: string;
  committerEmail: string;
  committed: RawDate;
  /** The raw message, trailing newline included, as Gitaly returns it. */
  message: string;
}

export interface TagRef {
  name: string;
  /** The ref's object: the tag object for an annotated tag, else the commit. */
  target: string;
  /** The peeled commit id; undefined when the tag points at a tree or blob. */
  commit: string | undefined;
  /** Annotated tags only. */
  annotation?: { message: string; tagged: RawDate };
}

export interface BranchRef {
  name: string;
  commit: string;
}

export interface TreeEntry {
  id: string;
  name: string;
  type: "blob" | "tree" | "commit";
  path: string;
  mode: string;
}

const FS = "\x1f";
const RS = "\x1e";

export function parseRawDate(raw: string): RawDate {
  const match = /^(-?\d+) ([+-])(\d\d)(\d\d)$/.exec(raw.trim());
  if (match === null) throw new Error(`unexpected git date ${JSON.stringify(raw)}`);
  const minutes = Number(match[3]) * 60 + Number(match[4]);
  return { seconds: Number(match[1]), offsetMinutes: match[2] === "-" ? -minutes : minutes };
}

/**
 * GitLab's JSON time for a git date: the wall-clock time in the identity's own offset with
 * milliseconds, `2024-01-02T08:34:05.000+05:30` (Gitlab::Git::Commit#init_date_from_gitaly keeps
 * the offset; Rails encodes with xmlschema(3), so a zero offset is `+00:00`, never `Z`).
 */
export function gitlabTime(date: RawDate): string {
  const local = new Date((date.seconds + date.offsetMinutes * 60) * 1000).toISOString().slice(0, 23);
  const abs = Math.abs(date.offsetMinutes);
  const sign = date.offsetMinutes < 0 ? "-" : "+";
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const COMMIT_FORMAT = ["%H", "%P", "%an", "%ae", "%ad", "%cn", "%ce", "%cd", "%B"].join("%x1f") + "%x1e";

/** Commit metadata for each id (missing ids are simply absent from the map). */
export async function readCommits(dir: string, ids: readonly string[]): Promise<Map<string, CommitInfo>> {
  const out = new Map<string, CommitInfo>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return out;
  const text = await gitText(dir, ["log", "--no-walk=unsorted", "--stdin", "--date=raw", `--format=${COMMIT_FORMAT}`], unique.join("\n") + "\n");
  for (const record of (text ?? "").split(RS)) {
    const fields = record.replace(/^\n/, "").split(FS);
    if (fields.length < 9) continue;
    const [id, parents, an, ae, ad, cn, ce, cd, message] = fields as [string, ...string[]];
    out.set(id, {
      id,
      parentIds: parents!.split(" ").filter(Boolean),
      authorName: an!,
      authorEmail: ae!,
      authored: parseRawDate(ad!),
      committerName: cn!,
      committerEmail: ce!,
      committed: parseRawDate(cd!),
      message: message!,
    });
  }
  return out;
}

/**
 * A revision (sha, abbreviated sha, branch or tag name) to its commit id, as Gitaly's FindCommit
 * resolves it (git's own rev-parse order: tags before branches for an ambiguous name).
 */
export async function resolveCommit(dir: string, rev: string): Promise<string | undefined> {
  // Gitaly refuses revisions that look like options; ranges and ':' paths are no commits either.
  if (rev === "" || rev.startsWith("-") || rev.includes("..") || rev.includes(":")) return undefined;
  const out = await gitText(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`]);
  return out?.trim() || undefined;
}

/** git's --sort key for GitLab's tag/branch sort names. */
export type RefSort = "refname" | "-refname" | "creatordate" | "-creatordate" | "version:refname" | "-version:refname";

/** Tags in git's order for `sort` (Gitaly's FindAllTags sorts with for-each-ref the same way). */
export async function listTags(dir: string, sort: RefSort = "refname"): Promise<TagRef[]> {
  const format = ["%(refname:strip=2)", "%(objectname)", "%(objecttype)", "%(taggerdate:raw)", "%(contents)"].join(FS) + RS;
  const text = await gitText(dir, ["for-each-ref", `--sort=${sort}`, `--format=${format}`, "refs/tags/"]);
  const tags: TagRef[] = [];
  for (const record of (text ?? "").split(RS)) {
    const fields = record.replace(/^\n/, "").split(FS);
    if (fields.length < 5) continue;
    const [name, target, type, tagged, contents] = fields as [string, string, string, string, string];
    tags.push({
      name,
      target,
      commit: undefined,
      ...(type === "tag" ? { annotation: { message: contents, tagged: parseRawDate(tagged) } } : {}),
    });
    if (type === "commit") tags.at(-1)!.commit = target;
  }
  // Peel annotated tags (possibly tags of tags) in one batch.
  const annotated = tags.filter((t) => t.commit === undefined);
  if (annotated.length > 0) {
    const peeled = await gitText(dir, ["rev-parse", ...annotated.map((t) => `${t.target}^{}`)]);
    const ids = (peeled ?? "").trim().split("\n");
    const types = await gitText(dir, ["cat-file", "--batch-check=%(objecttype)"], ids.join("\n") + "\n");
    const typeList = (types ?? "").trim().split("\n");
    annotated.forEach((t, i) => {
      if (typeList[i] === "commit") t.commit = ids[i];
    });
  }
  return tags;
}

export async function listBranches(dir: string, sort: RefSort = "refname"): Promise<BranchRef[]> {
  const text = await gitText(dir, ["for-each-ref", `--sort=${sort}`, `--format=%(refname:strip=2)${FS}%(objectname)`, "refs/heads/"]);
  return (text ?? "")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name, commit] = line.split(FS) as [string, string];
      return { name, commit };
    });
}

/** Names of branches or tags whose history contains `commit` (Gitaly's *NamesContainingCommit). */
export async function refsContaining(dir: string, commit: string, kind: "heads" | "tags"): Promise<string[]> {
  const text = await gitText(dir, ["for-each-ref", `--contains=${commit}`, "--format=%(refname:strip=2)", `refs/${kind}/`]);
  return (text ?? "").split("\n").filter(Boolean);
}

export async function isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean> {
  return (await gitBytes(dir, ["merge-base", "--is-ancestor", ancestor, descendant])).code === 0;
}

export async function mergeBase(dir: string, commits: readonly string[]): Promise<string | undefined> {
  const out = await gitText(dir, ["merge-base", ...commits]);
  return out?.trim() || undefined;
}

/** Lines added and removed by a commit against its first parent (GitLab's commit stats). */
export async function commitStats(dir: string, commit: string): Promise<{ additions: number; deletions: number; total: number }> {
  const text = (await gitText(dir, ["show", "--numstat", "--format=", "--no-renames", commit])) ?? "";
  let additions = 0;
  let deletions = 0;
  for (const line of text.split("\n")) {
    const [a, d] = line.split("\t");
    if (a === undefined || d === undefined) continue;
    additions += Number(a) || 0;
    deletions += Number(d) || 0;
  }
  return { additions, deletions, total: additions + deletions };
}

export type ObjectKind = "blob" | "tree" | "commit" | "tag" | undefined;

export async function objectType(dir: string, object: string): Promise<ObjectKind> {
  if (object.startsWith("-")) return undefined;
  const out = await gitText(dir, ["cat-file", "-t", object]);
  return (out?.trim() as ObjectKind) || undefined;
}

/**
 * Entries of the tree at `path` in `commit`, in Gitaly's order (git ls-tree; `recursive` lists
 * directories before their contents, like `ls-tree -r -t`). Undefined when `path` is no tree.
 */
export async function listTree(dir: string, commit: string, path: string, recursive: boolean): Promise<TreeEntry[] | undefined> {
  const object = path === "" ? `${commit}^{tree}` : `${commit}:${path}`;
  if ((await objectType(dir, object)) !== "tree") return undefined;
  const args = ["ls-tree", "-z", ...(recursive ? ["-r", "-t"] : []), "--end-of-options", object];
  const text = await gitText(dir, args);
  const prefix = path === "" ? "" : `${path}/`;
  return (text ?? "")
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      const [mode, type, id] = line.slice(0, tab).split(" ") as [string, TreeEntry["type"], string];
      const rel = line.slice(tab + 1);
      return { id, name: rel.slice(rel.lastIndexOf("/") + 1), type, path: prefix + rel, mode };
    });
}

export async function readBlob(dir: string, object: string): Promise<Buffer | undefined> {
  if ((await objectType(dir, object)) !== "blob") return undefined;
  const r = await gitBytes(dir, ["cat-file", "blob", object]);
  return r.code === 0 ? r.stdout : undefined;
}

export interface ArchiveRequest {
  commit: string;
  /** Top-level directory of every entry, without the trailing slash. */
  prefix: string;
  /** Repository path to archive ('' = everything); the entries keep their full path. */
  path: string;
  excludePaths: readonly string[];
}

/**
 * The zip Gitaly's GetArchive produces: `git -c core.autocrlf=input archive --format=zip` with the
 * repository's own attributes (so export-ignore and export-subst apply, unlike the go command's
 * archive which disables both).
 */
export async function archiveZip(dir: string, req: ArchiveRequest): Promise<GitBytes> {
  const pathspecs = [...(req.path === "" ? [] : [req.path]), ...req.excludePaths.map((p) => `:(exclude)${p}`)];
  return gitBytes(dir, [
    "-c",
    "core.autocrlf=input",
    "archive",
    "--format=zip",
    `--prefix=${req.prefix}/`,
    req.commit,
    ...(pathspecs.length > 0 ? ["--", ...pathspecs] : []),
  ]);
}
