// A module's files at a commit, from GitLab, as the go command's
// `git archive` would give them (module-proxy-rules.md §4.1, §4.2).
//
// One archive call fetches every file. GitLab's archive differs from the go
// command's in one way only: it honours `export-ignore` and `export-subst`
// (the go command neutralises both, golang/go#27153). So:
// - no .gitattributes on the module's path: the archive is the answer
//   (the common case: a fixed number of calls, whatever the file count);
// - otherwise the tree listing says what should be there; a file the
//   archive lacks, or whose bytes are not the blob and that has no
//   conversion attribute, is fetched raw and converted here.
import type { GitlabClient, GitlabTreeEntry } from "../../gitlab/client.js";
import type { ModuleFile } from "../zip/file.js";
import { bytesFile } from "../zip/file.js";
import { openArchive, type ArchiveEntry, type ArchiveReader, type RandomAccessSource } from "../zip/archive-reader.js";
import { GitAttributes, type GitattributesFile, type PathAttributes } from "../zip/gitattributes.js";
import { toWorkingTree, mayConvert } from "../zip/convert.js";
import { BlobIdHasher } from "../zip/blob-id.js";
import { GitlabUnavailable } from "../../gitlab/failure.js";
import type { ZipContent } from "./code-host.js";
import { NotExistError } from "../../module/errors.js";
import { TooLargeError } from "./errors.js";

/** codehost.MaxZipFile: the go command refuses larger archives (golang/go#29987). */
export const MAX_ARCHIVE = 500 << 20;

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
}

export async function readZipFromGitlab(o: ReadZipOptions): Promise<ZipContent> {
  // The .gitattributes on the way to the module's directory do not depend on the archive: asked at
  // the same time, so they are in when it has been read (each read is one round trip to GitLab).
  const outside = readOutsideAttributes(o);
  outside.catch(() => {}); // awaited below; if the archive fails first, this failure is nobody's
  const response = await o.client.archive(o.project, o.commit, o.dir);
  if (!response) throw new NotExistError(`no directory ${o.dir} at revision ${o.commit.slice(0, 12)}`);
  const spooled = await spool(response, o.runtime);
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

    const attributeFiles = await gatherAttributes(o, await outside, files, archive);
    let result: ModuleFile[];
    if (attributeFiles.length === 0) {
      result = [...files.values()].map(({ entry, name }) => archiveFile(name, entry, archive));
    } else {
      result = await reconcile(o, files, archive, new GitAttributes(attributeFiles));
    }
    return { files: result, dispose: () => spooled.dispose() };
  } catch (err) {
    await spooled.dispose();
    throw err;
  }
}

async function spool(response: Response, runtime: ZipRuntime): Promise<RandomAccessSource & { dispose(): Promise<void> }> {
  const s = runtime.spool();
  let total = 0;
  try {
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_ARCHIVE) {
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
): Promise<GitattributesFile[]> {
  const found = [...outside];
  for (const [name, { entry }] of files) {
    if (name === ".gitattributes" || !name.endsWith("/.gitattributes") || entry.isSymlink) continue;
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
): Promise<ModuleFile[]> {
  const tree = await o.client.tree(o.project, o.commit, o.dir);
  if (!tree) throw new NotExistError(`no directory ${o.dir} at revision ${o.commit.slice(0, 12)}`);
  const dirPrefix = o.dir === "" ? "" : o.dir + "/";
  const out: ModuleFile[] = [];
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
    out.push(await rawFile(o, e, name, attrs));
  }
  return out;
}

async function rawFile(o: ReadZipOptions, e: GitlabTreeEntry, name: string, attrs: PathAttributes): Promise<ModuleFile> {
  const raw = await o.client.blob(o.project, e.id);
  return bytesFile(name, mayConvert(attrs) ? toWorkingTree(raw, attrs, e.id, e.path) : raw);
}

function archiveFile(name: string, entry: ArchiveEntry, archive: ArchiveReader): ModuleFile {
  return {
    path: name,
    kind: entry.isSymlink ? "symlink" : "file",
    size: entry.size,
    open: async () => archive.open(entry),
  };
}

async function readAll(entry: ArchiveEntry, archive: ArchiveReader): Promise<Uint8Array> {
  return new Uint8Array(await new Response(archive.open(entry)).arrayBuffer());
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
