import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { runOk } from "./exec.js";
import { isolatedGitEnv } from "./git-env.js";
import { makeTempDir, removeDir } from "./tmp.js";
import { toolPath } from "./tools.js";

export interface CommitSpec {
  /** Repository-relative path → content (text or bytes). Paths may nest (`sdk/go/go.mod`, `v2/go.mod`). */
  files: Record<string, string | Uint8Array>;
  /** Lightweight tags on this commit, e.g. `v1.0.0` or, for a module in a subdirectory, `sdk/go/v1.0.0`. */
  tags?: string[];
  /** Paths to delete before writing `files` (only meaningful for addCommit). */
  remove?: string[];
  message?: string;
}

export interface RepoSpec extends CommitSpec {
  /** Default branch, which the bare repository's HEAD points at. */
  branch?: string;
}

export interface BareRepo {
  /** GIT_PROJECT_ROOT the repository lives under. */
  root: string;
  /** GitLab-style full path without `.git`, e.g. `platform/devtools/tools`. */
  projectPath: string;
  /** Absolute path of the bare repository, `<root>/<projectPath>.git`. */
  dir: string;
  branch: string;
  /** Commit id of the branch head after the last commit made through this harness. */
  head: string;
}

export interface RepoRoot {
  dir: string;
  close(): Promise<void>;
}

/** Commit times start here and advance one minute per commit: reproducible, yet ordered. */
const BASE_COMMIT_TIME = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;

/** A temporary directory to hold bare repositories (the GIT_PROJECT_ROOT of the git servers). */
export async function createRepoRoot(): Promise<RepoRoot> {
  const dir = await makeTempDir("repos");
  return { dir, close: () => removeDir(dir) };
}

/** The text of a minimal go.mod. */
export function goMod(modulePath: string, goVersion = "1.21"): string {
  return `module ${modulePath}\n\ngo ${goVersion}\n`;
}

function bareDirOf(root: string, projectPath: string): string {
  const segments = projectPath.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..") || projectPath.endsWith(".git")) {
    throw new Error(`invalid project path ${JSON.stringify(projectPath)}: want group/sub/project without .git`);
  }
  return join(root, `${projectPath}.git`);
}

/**
 * Blobs over 1 MiB (fixtures of random bytes) are stored without delta search: on a busy
 * machine a push of 150 MiB of them otherwise spends minutes looking for deltas that cannot exist.
 */
const BIG_FILES = ["-c", "core.bigFileThreshold=1m"];

function git(cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return runOk(toolPath("git"), args, { cwd, env: isolatedGitEnv(extraEnv) });
}

/** Writes, commits and tags one CommitSpec in a work tree and returns the new commit id. */
async function commitAndTag(work: string, spec: CommitSpec): Promise<string> {
  for (const path of spec.remove ?? []) await rm(join(work, path), { recursive: true, force: true });
  for (const [path, content] of Object.entries(spec.files)) {
    const file = join(work, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  const count = Number((await git(work, ["rev-list", "--count", "--all"])).stdout.trim() || "0");
  const date = `${BASE_COMMIT_TIME + 60 * count} +0000`;
  await git(work, [...BIG_FILES, "add", "-A"]);
  await git(work, ["commit", "-q", "--allow-empty", "-m", spec.message ?? `commit ${count + 1}`], {
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  });
  for (const tag of spec.tags ?? []) await git(work, ["tag", tag]);
  return (await git(work, ["rev-parse", "HEAD"])).stdout.trim();
}

async function pushAll(work: string, bareDir: string, branch: string): Promise<void> {
  await git(work, [...BIG_FILES, "push", "-q", bareDir, `refs/heads/${branch}:refs/heads/${branch}`, "refs/tags/*:refs/tags/*"]);
}

/**
 * Creates the bare repository `<root>/<projectPath>.git` holding one commit with `spec.files`,
 * tagged with `spec.tags`. The work tree is built in a separate temp dir and pushed, the way a
 * developer would, so the bare repository looks like one on a GitLab server.
 */
export async function makeRepo(root: string, projectPath: string, spec: RepoSpec): Promise<BareRepo> {
  const dir = bareDirOf(root, projectPath);
  const branch = spec.branch ?? "main";
  const work = await makeTempDir("work");
  try {
    await git(work, ["init", "-q", "-b", branch]);
    const head = await commitAndTag(work, spec);
    await mkdir(dir, { recursive: true });
    await git(dir, ["init", "-q", "--bare", "-b", branch]);
    await pushAll(work, dir, branch);
    return { root, projectPath, dir, branch, head };
  } finally {
    await removeDir(work);
  }
}

/** Adds a commit (and its tags) on top of the repository's branch; updates and returns `repo`. */
export async function addCommit(repo: BareRepo, spec: CommitSpec): Promise<BareRepo> {
  const work = await makeTempDir("work");
  try {
    await git(work, ["clone", "-q", "-b", repo.branch, repo.dir, "."]);
    repo.head = await commitAndTag(work, spec);
    await pushAll(work, repo.dir, repo.branch);
    return repo;
  } finally {
    await removeDir(work);
  }
}

/**
 * Moves a tag to another commit in the bare repository (`git tag -f`), as a push --force of a tag
 * does on GitLab: the stand-in reads the repository on every request, so the move is seen at once.
 */
export async function moveTag(repo: BareRepo, tag: string, commit: string): Promise<void> {
  await git(repo.dir, ["tag", "-f", tag, commit]);
}
