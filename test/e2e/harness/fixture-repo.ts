// Builds one bare repository from a declarative history: files, symlinks, submodules (gitlinks),
// lightweight and annotated tags, branches, and exact author/committer times in any zone.
// git-repos.ts stays the simple builder; this one is for the module proxy fixtures.
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { runOk } from "./exec.js";
import { gitBytes } from "./git-read.js";
import { isolatedGitEnv } from "./git-env.js";
import { makeTempDir, removeDir } from "./tmp.js";
import { toolPath } from "./tools.js";

/** A file's content, or a symlink to `symlink`, or a submodule (gitlink) at commit `gitlink`. */
export type FixtureFile = string | { symlink: string } | { gitlink: string } | { content: string; executable: true };

export interface FixtureTag {
  name: string;
  /** Annotated tag with this message (a lightweight tag when absent). */
  annotated?: string;
}

export interface FixtureCommit {
  /** Paths to write (after `remove`). */
  files?: Record<string, FixtureFile>;
  remove?: string[];
  tags?: (string | FixtureTag)[];
  /** Commit on this branch (created from the default branch's head when new); default: the default branch. */
  branch?: string;
  /** `YYYY-MM-DDTHH:MM:SS±HH:MM`; default: a fixed start plus one minute per commit, in UTC. */
  committerDate?: string;
  /** Default: the committer date. */
  authorDate?: string;
  message?: string;
}

export interface FixtureHistory {
  /** Default branch (the bare repository's HEAD); default `main`. */
  branch?: string;
  commits: FixtureCommit[];
}

export interface BuiltRepo {
  dir: string;
  /** Commit ids in the order of `commits`. */
  commits: string[];
}

const BASE_TIME = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;

/** `2023-05-06T07:08:09+05:00` → git's raw `1683338889 +0500`. */
export function gitDate(iso: string): string {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)([+-])(\d\d):(\d\d)$/.exec(iso);
  if (match === null) throw new Error(`fixture date ${JSON.stringify(iso)}: want YYYY-MM-DDTHH:MM:SS±HH:MM`);
  const seconds = Date.parse(`${match[1]}${match[2]}${match[3]}:${match[4]}`) / 1000;
  return `${seconds} ${match[2]}${match[3]}${match[4]}`;
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runOk(toolPath("git"), args, { cwd, env: isolatedGitEnv(env) });
}

async function writeFiles(work: string, files: Record<string, FixtureFile>): Promise<void> {
  for (const [path, spec] of Object.entries(files)) {
    const file = join(work, path);
    await rm(file, { recursive: true, force: true });
    if (typeof spec === "object" && "gitlink" in spec) {
      await git(work, ["update-index", "--add", "--cacheinfo", `160000,${spec.gitlink},${path}`]);
      continue;
    }
    await mkdir(dirname(file), { recursive: true });
    if (typeof spec === "string") await writeFile(file, spec);
    else if ("symlink" in spec) await symlink(spec.symlink, file);
    else await writeFile(file, spec.content, { mode: 0o755 });
    await git(work, ["add", "--", path]);
  }
}

async function commitOne(work: string, spec: FixtureCommit, index: number, defaultBranch: string): Promise<string> {
  const branch = spec.branch ?? defaultBranch;
  const current = (await git(work, ["symbolic-ref", "--short", "HEAD"])).stdout.trim();
  if (branch !== current) {
    const exists = (await git(work, ["branch", "--list", branch])).stdout.trim() !== "";
    // Check out without touching the index of gitlinks: a plain checkout suffices (no submodule dirs).
    await git(work, exists ? ["checkout", "-q", branch] : ["checkout", "-q", "-b", branch, defaultBranch]);
  }
  for (const path of spec.remove ?? []) await git(work, ["rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", path]);
  for (const path of spec.remove ?? []) await rm(join(work, path), { recursive: true, force: true });
  await writeFiles(work, spec.files ?? {});
  const committed = spec.committerDate === undefined ? `${BASE_TIME + 60 * index} +0000` : gitDate(spec.committerDate);
  const authored = spec.authorDate === undefined ? committed : gitDate(spec.authorDate);
  const dates = { GIT_AUTHOR_DATE: authored, GIT_COMMITTER_DATE: committed };
  await git(work, ["commit", "-q", "--allow-empty", "-m", spec.message ?? `commit ${index + 1}`], dates);
  for (const tag of spec.tags ?? []) {
    const t = typeof tag === "string" ? { name: tag } : tag;
    // An annotated tag's tagger date is the committer date too (GIT_COMMITTER_DATE).
    await git(work, t.annotated === undefined ? ["tag", t.name] : ["tag", "-a", "-m", t.annotated, t.name], dates);
  }
  const id = (await git(work, ["rev-parse", "HEAD"])).stdout.trim();
  if (branch !== defaultBranch) await git(work, ["checkout", "-q", defaultBranch]);
  return id;
}

/** Creates `<root>/<projectPath>.git` with the history, pushed from a scratch work tree. */
export async function buildFixtureRepo(root: string, projectPath: string, history: FixtureHistory): Promise<BuiltRepo> {
  const branch = history.branch ?? "main";
  const dir = join(root, `${projectPath}.git`);
  const work = await makeTempDir("fixture");
  try {
    await git(work, ["init", "-q", "-b", branch]);
    // Keep the bytes as written: no autocrlf or symlink rewriting in the work tree.
    await git(work, ["config", "core.autocrlf", "false"]);
    await git(work, ["config", "core.symlinks", "true"]);
    const commits: string[] = [];
    for (const [i, spec] of history.commits.entries()) commits.push(await commitOne(work, spec, i, branch));
    await mkdir(dir, { recursive: true });
    await git(dir, ["init", "-q", "--bare", "-b", branch]);
    await git(work, ["push", "-q", dir, "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"]);
    return { dir, commits };
  } finally {
    await removeDir(work);
  }
}

/**
 * A long history made with git fast-import (fast: no work tree): `commits` commits on `main`,
 * each rewriting one of `files` files of about `fileBytes` bytes, a tag every `tagEvery`
 * commits (`v0.<n>.0`), go.mod at the root. For the benchmark: many commits, some MB of files.
 */
export async function buildLongHistoryRepo(
  root: string,
  projectPath: string,
  opts: { modulePath: string; commits: number; files: number; fileBytes: number; tagEvery: number },
): Promise<BuiltRepo> {
  const dir = join(root, `${projectPath}.git`);
  await mkdir(dir, { recursive: true });
  await git(dir, ["init", "-q", "--bare", "-b", "main"]);
  const lines: string[] = [];
  const blob = (content: string) => `data ${Buffer.byteLength(content)}\n${content}`;
  const fileContent = (f: number, rev: number) => {
    const line = `// file ${f} revision ${rev}: ${"x".repeat(60)}\n`;
    return `package big\n\n${line.repeat(Math.ceil(opts.fileBytes / line.length))}`;
  };
  for (let c = 0; c < opts.commits; c++) {
    const when = `${BASE_TIME + 60 * c} +0000`;
    lines.push("commit refs/heads/main", `mark :${c + 1}`, `committer modgate e2e <e2e@modgate.invalid> ${when}`);
    lines.push(blob(`commit ${c + 1}`));
    if (c === 0) {
      lines.push("M 100644 inline go.mod", blob(`module ${opts.modulePath}\n\ngo 1.21\n`));
      for (let f = 0; f < opts.files; f++) lines.push(`M 100644 inline f${f}.go`, blob(fileContent(f, 0)));
    } else {
      const f = c % opts.files;
      lines.push(`M 100644 inline f${f}.go`, blob(fileContent(f, c)));
    }
    if ((c + 1) % opts.tagEvery === 0) lines.push(`reset refs/tags/v0.${(c + 1) / opts.tagEvery}.0`, `from :${c + 1}`);
  }
  const imported = await gitBytes(dir, ["fast-import", "--quiet"], lines.join("\n") + "\n");
  if (imported.code !== 0) throw new Error(`git fast-import failed for ${projectPath}: ${imported.stderr}`);
  const revs = await gitBytes(dir, ["rev-list", "--reverse", "main"]);
  return { dir, commits: revs.stdout.toString("utf8").split("\n").filter(Boolean) };
}
