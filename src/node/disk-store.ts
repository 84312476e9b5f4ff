// The module proxy's content store on Node: one file per object under
// proxy.cacheDir, written whole to a temporary file and then published under
// its key with link(), so a reader sees a whole object or none, and a crash
// leaves no half-written version behind. Objects are immutable: the first one
// published stays, also between processes sharing the directory (cluster
// workers, a second instance, `modgate resolve`): link() fails with EEXIST
// when the key exists, where rename() would replace it.
//
// Each process writes its temporary files in a directory of its own under
// .tmp/, named by its pid (and host, for directories shared over a network).
// A starting process removes the directories of processes that are gone —
// never one whose pid is alive — and a process that finds its own directory
// removed (by hand, or by a process on another host after a week) makes it
// again instead of failing every write.
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { link, mkdir, open, opendir, readFile, rm, stat, type FileHandle } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { randomBytes } from "node:crypto";
import type { ContentStore, StoredObject } from "../proxy/store/store.js";
import type { Spool } from "../proxy/repo/gitlab-zip.js";

/** The directory under the store's root where temporary files are written. */
export const TEMP_DIR = ".tmp";

export class DiskStore implements ContentStore {
  private readonly root: string;
  /** The directory as given, resolved. */
  readonly dir: string;
  /** This process's (this instance's) directory of temporary files. */
  readonly tmp: string;
  /** A Node process outlives its answers: a cold .info may start its zip's build (store.ts). */
  readonly backgroundWork = true;

  constructor(dir: string) {
    this.root = resolve(dir);
    this.dir = this.root;
    const tmpRoot = join(this.root, TEMP_DIR);
    this.tmp = join(tmpRoot, tempDirName(process.pid));
    mkdirSync(this.tmp, { recursive: true });
    removeLeftovers(tmpRoot, this.tmp);
  }

  private pathOf(key: string): string {
    // Keys are escaped module paths and versions (lower-case, "!", "/", "@", "+", "."), never "..": checked anyway.
    const p = resolve(this.root, key);
    if (!p.startsWith(this.root + sep) || key.split("/").some((e) => e === "" || e === "." || e === "..")) {
      throw new Error(`content store key ${JSON.stringify(key)} is not a relative path`);
    }
    return p;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const path = this.pathOf(key);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    return {
      size,
      stream: () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
      bytes: async () => new Uint8Array(await readFile(path)),
    };
  }

  async put(key: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<boolean> {
    const path = this.pathOf(key);
    const temp = this.tempName();
    try {
      const file = await this.createTemp(temp, "wx");
      try {
        if (body instanceof Uint8Array) await file.writeFile(body);
        else await writeAll(file, body);
      } finally {
        await file.close();
      }
      await mkdir(dirname(path), { recursive: true });
      // The first object stays: a version once served never changes. link()
      // refuses an existing name atomically, whichever process wrote it.
      try {
        await link(temp, path);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw err;
      }
    } finally {
      await rm(temp, { force: true });
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** Keys below the root starting with `prefix`, in no particular order; temporary files are not keys. */
  async *list(prefix: string): AsyncIterable<string> {
    const slash = prefix.lastIndexOf("/");
    const base = prefix.slice(0, slash + 1);
    for await (const key of walk(base === "" ? this.root : this.pathOf(base.slice(0, -1)), base)) {
      if (key.startsWith(prefix)) yield key;
    }
  }

  spool(): Spool {
    const temp = this.tempName();
    let handle: Promise<FileHandle> | undefined;
    let size = 0;
    const file = () => (handle ??= this.createTemp(temp, "w+"));
    return {
      async write(chunk) {
        const f = await file();
        await f.write(chunk, 0, chunk.length, size);
        size += chunk.length;
      },
      async finish() {
        const f = await file();
        return {
          size,
          async read(offset: number, length: number) {
            const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
            if (buffer.length === 0) return buffer;
            const { bytesRead } = await f.read(buffer, 0, buffer.length, offset);
            return buffer.subarray(0, bytesRead);
          },
          async dispose() {
            await f.close().catch(() => {});
            await rm(temp, { force: true });
          },
        };
      },
      async abort() {
        if (handle) await (await handle).close().catch(() => {});
        await rm(temp, { force: true });
      },
    };
  }

  /** Removes this process's temporary directory: for commands that end (the server's stays until a later start sees its pid gone). */
  async close(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
  }

  private tempName(): string {
    return join(this.tmp, randomBytes(12).toString("hex"));
  }

  /** Opens a new temporary file, making this process's directory again when it was removed. */
  private async createTemp(path: string, flags: "wx" | "w+"): Promise<FileHandle> {
    try {
      return await open(path, flags);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      await mkdir(this.tmp, { recursive: true });
      return open(path, flags);
    }
  }
}

async function writeAll(file: FileHandle, body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    await file.write(value);
  }
}

/** The keys of the files below `dir`, each `base` + its path relative to dir. */
async function* walk(dir: string, base: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await opendir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return;
    throw err;
  }
  for await (const entry of entries) {
    if (base === "" && entry.name === TEMP_DIR) continue;
    if (entry.isDirectory()) yield* walk(join(dir, entry.name), `${base}${entry.name}/`);
    else if (entry.isFile()) yield base + entry.name;
  }
}

// ---------------------------------------------------------------------------
// Temporary directories: `<pid>-<random>-<host>`.

const HOST =
  hostname()
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(0, 64) || "_";

/** Directories of another host cannot be checked for a live process: removed when untouched this long. */
const FOREIGN_AGE_MS = 7 * 24 * 3600 * 1000;
/** Names modgate never wrote (not `<pid>-<hex>[-<host>]`): removed when untouched this long. */
const UNKNOWN_AGE_MS = 24 * 3600 * 1000;

export function tempDirName(pid: number): string {
  return `${pid}-${randomBytes(4).toString("hex")}-${HOST}`;
}

/** The pid and host of a temporary directory's name; a name without a host (as earlier modgate wrote them) is of this host. */
function parseTempDirName(name: string): { pid: number; host: string } | undefined {
  const m = /^(\d+)-[0-9a-f]{8}(?:-(.+))?$/.exec(name);
  return m ? { pid: Number(m[1]), host: m[2] ?? HOST } : undefined;
}

/** Whether a process with this pid runs on this host (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * What processes that are gone left in .tmp/, removed at start: a directory
 * of this host whose pid no longer runs. A live process's directory stays,
 * however old (an idle process does not touch it). A pid reused by another
 * process keeps its directory until that one ends too.
 */
function removeLeftovers(tmpRoot: string, own: string): void {
  const now = Date.now();
  for (const name of readdirSync(tmpRoot)) {
    const path = join(tmpRoot, name);
    if (path === own) continue;
    const owner = parseTempDirName(name);
    try {
      let gone: boolean;
      if (owner === undefined) gone = statSync(path).mtimeMs < now - UNKNOWN_AGE_MS;
      else if (owner.host === HOST) gone = !processAlive(owner.pid);
      else gone = statSync(path).mtimeMs < now - FOREIGN_AGE_MS;
      if (gone) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process may be removing it too.
    }
  }
}
