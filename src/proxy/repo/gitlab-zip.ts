// A module's files at a commit, from GitLab, as the go command's
// `git archive` would give them (docs/go-rules.md §4.1, §4.2).
//
// One archive call fetches every file. GitLab's archive differs from the go
// command's in one way only: it honours `export-ignore` and `export-subst`
// (the go command neutralises both, golang/go#27153). So:
// - no .gitattributes on the module's path: the archive is the answer
//   (the common case: a fixed number of calls, whatever the file count);
// - otherwise the tree listing says what should be there; a file the
//   archive lacks, or whose bytes are not the blob and that has no
//   conversion attribute, is fetched raw and converted here.
import { BodyTooLargeError, type GitlabClient, type GitlabTreeEntry } from "../../gitlab/client.js";
import type { ModuleFile } from "../zip/file.js";
import { bytesFile } from "../zip/file.js";
import { openArchive, type ArchiveEntry, type ArchiveReader, type RandomAccessSource } from "../zip/archive-reader.js";
import { ATTR_MAX_FILE_SIZE, GitAttributes, type GitattributesFile, type PathAttributes } from "../zip/gitattributes.js";
import { MAX_GO_MOD, MAX_LICENSE, REASONS } from "../zip/check-files.js";
import { toWorkingTree, mayConvert } from "../zip/convert.js";
import { BlobIdHasher } from "../zip/blob-id.js";
import { GitlabUnavailable } from "../../gitlab/failure.js";
import type { ZipContent } from "./code-host.js";
import { NotExistError } from "../../module/errors.js";
import { TooLargeError } from "./errors.js";

/** codehost.MaxZipFile: the go command refuses larger archives (golang/go#29987). */
export const MAX_ARCHIVE = 500 << 20;

/**
 * Limits of this module (tests lower them; the defaults are git's and the
 * go command's).
 */
export interface ZipLimits {
  /** git's ATTR_MAX_FILE_SIZE: a .gitattributes this large or larger is ignored, and never read. */
  attributesFile: number;
  /** codehost.MaxZipFile: the archive, and the raw blobs held while a zip is built. */
  archive: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { attributesFile: ATTR_MAX_FILE_SIZE, archive: MAX_ARCHIVE };

/**
 * The most of a file read raw by name (CodeHost.readFile): a .gitattributes
 * is read up to git's limit (larger ones git ignores), go.mod and LICENSE
 * up to the go command's (codehost.MaxGoMod, MaxLICENSE).
 */
export function rawFileLimit(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): number {
  const base = path.slice(path.lastIndexOf("/") + 1);
  if (base === ".gitattributes") return limits.attributesFile - 1;
  if (base === "LICENSE") return MAX_LICENSE;
  return MAX_GO_MOD;
}

/**
 * A file read raw by name, never more than rawFileLimit of it: a
 * .gitattributes over git's limit is as if absent (git ignores it, with a
 * warning); a go.mod or LICENSE over the go command's is not there, in its
 * words ("file too large").
 */
export async function readRawFile(
  client: GitlabClient,
  project: string,
  commit: string,
  path: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<Uint8Array | undefined> {
  try {
    return await client.file(project, commit, path, rawFileLimit(path, limits));
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    if (path === ".gitattributes" || path.endsWith("/.gitattributes")) return undefined;
    throw new NotExistError(`${path} at revision ${commit}: file too large`);
  }
}

/** Where an archive is kept while it is read: a file on Node, memory elsewhere. */
export interface Spool {
  write(chunk: Uint8Array): Promise<void>;
  /** All written; the bytes can now be read at any offset. */
  finish(): Promise<RandomAccessSource & { dispose(): Promise<void> }>;
  /** Gives up (an error while writing). */
  abort(): Promise<void>;
}

export interface ZipRuntime {
  spool(): Spool;
}

export interface ReadZipOptions {
  client: GitlabClient;
  project: string;
  commit: string;
  /** The module's directory in the repository, "" at the root. */
  dir: string;
  runtime: ZipRuntime;
  /** Raw file at the commit (remembered by the host). */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /** DEFAULT_ZIP_LIMITS unless a test lowers them. */
  limits?: ZipLimits;
}

export async function readZipFromGitlab(o: ReadZipOptions): Promise<ZipContent> {
  // The .gitattributes on the way to the module's directory do not depend on the archive: asked at
  // the same time, so they are in when it has been read (each read is one round trip to GitLab).
  const outside = readOutsideAttributes(o);
  outside.catch(() => {}); // awaited below; if the archive fails first, this failure is nobody's
  const response = await o.client.archive(o.project, o.commit, o.dir);
  if (!response) throw new NotExistError(`no directory ${o.dir} at revision ${o.commit.slice(0, 12)}`);
  const limits = o.limits ?? DEFAULT_ZIP_LIMITS;
  const spooled = await spool(response, o.runtime, limits.archive);
  try {
    const archive = await openArchive(spooled);
    const entries = archive.entries;
    const files = new Map<string, { entry: ArchiveEntry; name: string }>();
    let top = "";
    const dirPrefix = o.dir === "" ? "" : o.dir + "/";
    for (const entry of entries) {
      // Every name sits under one top-level directory (GitLab's <project>-<ref>-<sha>/).
      if (top === "") {
        const slash = entry.name.indexOf("/");
        if (slash < 0) throw new Error("GitLab's archive has no top-level directory");
        top = entry.name.slice(0, slash + 1);
      }
      if (!entry.name.startsWith(top)) throw new Error("GitLab's archive has more than one top-level directory");
      const inRepo = entry.name.slice(top.length);
      if (!inRepo.startsWith(dirPrefix)) continue;
      const name = inRepo.slice(dirPrefix.length);
      // Directories and submodules (gitlinks) end in "/" and are never files of a module.
      if (name === "" || name.endsWith("/")) continue;
      files.set(name, { entry, name });
    }

    const attributeFiles = await gatherAttributes(o, await outside, files, archive, limits);
    let result: ModuleFile[];
    if (attributeFiles.length === 0) {
      result = [...files.values()].map(({ entry, name }) => archiveFile(name, entry, archive));
    } else {
      result = await reconcile(o, files, archive, new GitAttributes(attributeFiles), limits);
    }
    return { files: result, dispose: () => spooled.dispose() };
  } catch (err) {
    await spooled.dispose();
    throw err;
  }
}

async function spool(response: Response, runtime: ZipRuntime, limit: number): Promise<RandomAccessSource & { dispose(): Promise<void> }> {
  // A declared size over the limit is refused before a byte is read (as the go command's LimitedReader would, later).
  const header = response.headers.get("content-length");
  if (header !== null && /^[0-9]+$/.test(header.trim()) && !response.headers.get("content-encoding") && Number(header.trim()) > limit) {
    await response.body?.cancel().catch(() => {});
    throw new NotExistError("downloaded zip file too large");
  }
  const s = runtime.spool();
  let total = 0;
  try {
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel();
        throw new NotExistError("downloaded zip file too large");
      }
      await s.write(value);
    }
  } catch (err) {
    await s.abort();
    // The spool's own refusal (a Worker's memory) is not GitLab breaking off.
    if (err instanceof NotExistError || err instanceof TooLargeError) throw err;
    throw new GitlabUnavailable("unreachable", "GitLab's archive broke off before its end");
  }
  return s.finish();
}

/**
 * The .gitattributes on the way from the repository root to the module's
 * directory, read raw (the archive holds only the directory): the root's and
 * every directory's on the way down, the module directory's own included (it
 * could be export-ignored by itself, so it is read raw too). Asked at once,
 * kept root first.
 */
async function readOutsideAttributes(o: ReadZipOptions): Promise<GitattributesFile[]> {
  const parts = o.dir === "" ? [] : o.dir.split("/");
  const dirs = parts.map((_, i) => parts.slice(0, i).join("/")).concat(o.dir);
  const raw = await Promise.all(dirs.map((d) => o.readFile(d === "" ? ".gitattributes" : `${d}/.gitattributes`)));
  const found: GitattributesFile[] = [];
  raw.forEach((content, i) => {
    if (content !== undefined) found.push({ dir: dirs[i]!, content });
  });
  return found;
}

/**
 * Every .gitattributes that applies to the module's files: those on the way
 * to the module's directory (`outside`), then those inside it.
 */
async function gatherAttributes(
  o: ReadZipOptions,
  outside: GitattributesFile[],
  files: Map<string, { entry: ArchiveEntry }>,
  archive: ArchiveReader,
  limits: ZipLimits,
): Promise<GitattributesFile[]> {
  const found = [...outside];
  for (const [name, { entry }] of files) {
    if (name === ".gitattributes" || !name.endsWith("/.gitattributes") || entry.isSymlink) continue;
    // git ignores a .gitattributes of ATTR_MAX_FILE_SIZE or more (attr.c): its size in the archive's
    // directory says so before a byte of it is inflated. Reading stops at that size anyway (archive-reader).
    if (entry.size >= limits.attributesFile) continue;
    const d = name.slice(0, -"/.gitattributes".length);
    found.push({ dir: o.dir === "" ? d : `${o.dir}/${d}`, content: await readAll(entry, archive) });
  }
  return found;
}

/**
 * With attributes in play, the tree listing is the truth: every blob is in
 * the zip, with the go command's conversions and nothing of export-*.
 */
async function reconcile(
  o: ReadZipOptions,
  files: Map<string, { entry: ArchiveEntry; name: string }>,
  archive: ArchiveReader,
  attributes: GitAttributes,
  limits: ZipLimits,
): Promise<ModuleFile[]> {
  const tree = await o.client.tree(o.project, o.commit, o.dir);
  if (!tree) throw new NotExistError(`no directory ${o.dir} at revision ${o.commit.slice(0, 12)}`);
  const dirPrefix = o.dir === "" ? "" : o.dir + "/";
  const out: ModuleFile[] = [];
  // Converted files are held whole until the zip is written: together never more than the go
  // command's limit on a module's files (a zip over it is refused whatever the files are).
  const held = { bytes: 0 };
  for (const e of tree) {
    if (e.type !== "blob" || !e.path.startsWith(dirPrefix)) continue;
    const name = e.path.slice(dirPrefix.length);
    if (e.mode === "120000") {
      out.push({ path: name, kind: "symlink", size: 0, open: () => Promise.reject(new Error("a symlink is never opened")) });
      continue;
    }
    const attrs = attributes.of(e.path);
    const inArchive = files.get(name);
    // Unconverted bytes must be the blob itself (export-subst changes them); anything else is fetched raw.
    if (inArchive && !inArchive.entry.isSymlink && !mayConvert(attrs) && (await streamBlobId(inArchive.entry, archive)) === e.id) {
      out.push(archiveFile(name, inArchive.entry, archive));
      continue;
    }
    out.push(await rawFile(o, e, name, attrs, held, limits.archive));
  }
  return out;
}

async function rawFile(
  o: ReadZipOptions,
  e: GitlabTreeEntry,
  name: string,
  attrs: PathAttributes,
  held: { bytes: number },
  limit: number,
): Promise<ModuleFile> {
  let raw: Uint8Array;
  try {
    raw = await o.client.blob(o.project, e.id, limit - held.bytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new NotExistError(REASONS.tooLarge);
    throw err;
  }
  const file = bytesFile(name, mayConvert(attrs) ? toWorkingTree(raw, attrs, e.id, e.path) : raw);
  held.bytes += Math.max(raw.length, file.size);
  if (held.bytes > limit) throw new NotExistError(REASONS.tooLarge);
  return file;
}

function archiveFile(name: string, entry: ArchiveEntry, archive: ArchiveReader): ModuleFile {
  return {
    path: name,
    kind: entry.isSymlink ? "symlink" : "file",
    size: entry.size,
    open: async () => archive.open(entry),
  };
}

/** An entry's bytes in one buffer of its declared size (the reader refuses an entry that inflates past it). */
async function readAll(entry: ArchiveEntry, archive: ArchiveReader): Promise<Uint8Array> {
  const out = new Uint8Array(entry.size);
  let at = 0;
  const reader = archive.open(entry).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > out.length) {
      await reader.cancel().catch(() => {});
      throw new Error(`archive: ${entry.name} inflates past the ${entry.size} bytes the directory says`);
    }
    out.set(value, at);
    at += value.length;
  }
  return out.subarray(0, at);
}

/** The git blob id of an archive entry, streamed (a large file is never held whole). */
async function streamBlobId(entry: ArchiveEntry, archive: ArchiveReader): Promise<string> {
  const hasher = new BlobIdHasher(entry.size);
  const reader = archive.open(entry).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hasher.update(value);
  }
  return hasher.digest();
}
