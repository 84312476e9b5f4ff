// The module proxy's content store on Node: one file per object under
// proxy.cacheDir, written to a temporary name and renamed into place, so a
// reader sees a whole object or none, and a crash leaves no half-written
// version behind. Objects are immutable: the first one written stays.
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { randomBytes } from "node:crypto";
import type { ContentStore, StoredObject } from "../proxy/store/store.js";
import type { Spool } from "../proxy/repo/gitlab-zip.js";

export class DiskStore implements ContentStore {
  private readonly root: string;
  /** The directory as given, resolved. */
  readonly dir: string;
  private readonly tmp: string;
  /** A Node process outlives its answers: a cold .info may start its zip's build (store.ts). */
  readonly backgroundWork = true;

  constructor(dir: string) {
    this.root = resolve(dir);
    this.dir = this.root;
    // Each process writes its temporary files apart (cluster workers share the store).
    const tmpRoot = join(this.root, ".tmp");
    this.tmp = join(tmpRoot, `${process.pid}-${randomBytes(4).toString("hex")}`);
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

  async put(key: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    const temp = this.tempName();
    try {
      if (body instanceof Uint8Array) {
        await writeFile(temp, body);
      } else {
        const file = await open(temp, "w");
        try {
          await writeAll(file, body);
        } finally {
          await file.close();
        }
      }
      await mkdir(dirname(path), { recursive: true });
      // The first object stays: a version once served never changes.
      if (await exists(path)) return;
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
  }

  spool(): Spool {
    const temp = this.tempName();
    let handle: Promise<FileHandle> | undefined;
    let size = 0;
    const file = () => (handle ??= mkdir(this.tmp, { recursive: true }).then(() => open(temp, "w+")));
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

  private tempName(): string {
    return join(this.tmp, randomBytes(12).toString("hex"));
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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Temporary files older than a day were left by a process that died: removed at start. */
function removeLeftovers(tmpRoot: string, own: string): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(tmpRoot)) {
    const path = join(tmpRoot, name);
    if (path === own) continue;
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process may be removing it too.
    }
  }
}
