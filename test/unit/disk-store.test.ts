// The Node content store shared by processes (issue "the proxy keeps its
// promises"): two DiskStore instances on one directory stand for two
// processes (a second instance, `modgate resolve`, a cluster worker). First
// write wins between them, a loser's bytes are never visible, a starting
// store leaves a live process's temporary files alone, and a store whose
// temporary directory was removed makes it again.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DiskStore } from "../../src/node/disk-store.js";

/**
 * A look at one path (stat) that answers as of when it was made but only
 * once `release` settles: another process publishing in between. A store
 * that checks a key and then publishes over it shows here; one that
 * publishes atomically never asks.
 */
const slowLook = vi.hoisted(() => ({
  path: undefined as string | undefined,
  started: () => {},
  release: Promise.resolve(),
}));
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const stat = (async (path: string, ...rest: []) => {
    if (path !== slowLook.path) return fs.stat(path, ...rest);
    slowLook.path = undefined;
    const answer = await fs.stat(path).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    slowLook.started();
    await slowLook.release;
    if ("error" in answer) throw answer.error;
    return answer.value;
  }) as typeof fs.stat;
  return { ...fs, stat, default: { ...fs, stat } };
});

const text = (s: string) => new TextEncoder().encode(s);
const read = async (store: DiskStore, key: string) => {
  const object = await store.get(key);
  return object ? new TextDecoder().decode(await object.bytes()) : undefined;
};

/** A stream the test writes into as it goes. */
function pushedStream(): { stream: ReadableStream<Uint8Array>; push(s: string): void; end(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return { stream, push: (s) => controller.enqueue(text(s)), end: () => controller.close() };
}

/** Waits (without a deadline of its own: the test's guards against a hang) until `ready` holds. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((r) => setTimeout(r, 5));
}

/** The sizes of the files in a store's temporary directory. */
const tempSizes = (store: DiskStore) => readdirSync(store.tmp).map((name) => statSync(join(store.tmp, name)).size);

/** A pid no process has: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

describe("DiskStore shared by processes", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "modgate-disk-store-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("a put race on one key: exactly one write wins, and only its bytes are ever read", async () => {
    const a = new DiskStore(dir);
    const b = new DiskStore(dir);
    // Many keys, both processes writing each at once: every interleaving of
    // write, check and publish the two can take shows up somewhere.
    const keys = Array.from({ length: 200 }, (_, i) => `example.com/m/@v/v1.0.${i}.zip`);
    const seen = new Map<string, Set<string>>(keys.map((k) => [k, new Set()]));
    let racing = true;
    const watch = (async () => {
      while (racing) {
        for (const key of keys) {
          const got = await read(a, key);
          if (got !== undefined) seen.get(key)!.add(got);
        }
      }
    })();
    const results = await Promise.all(keys.map((key) => Promise.all([a.put(key, text(`a ${key}`)), b.put(key, text(`b ${key} longer`))])));
    racing = false;
    await watch;
    for (const [i, key] of keys.entries()) {
      const final = await read(b, key);
      // Whatever any reader saw under the key is what stays: no write replaced another.
      expect(
        [...seen.get(key)!].filter((s) => s !== final),
        key,
      ).toEqual([]);
      const [wonA, wonB] = results[i]!;
      expect(
        [wonA, wonB].filter((w) => w === true),
        key,
      ).toHaveLength(1);
      expect(final).toBe(wonA ? `a ${key}` : `b ${key} longer`);
    }
  });

  it("a put that loses to a write published while it was writing reports so, and its bytes never show", async () => {
    const a = new DiskStore(dir);
    const b = new DiskStore(dir);
    const key = "example.com/m/@v/v1.0.0.zip";
    const slow = pushedStream();
    const losing = b.put(key, slow.stream);
    slow.push("b's ");
    await until(() => tempSizes(b).join() === "4");
    // b is still writing its temporary file when a publishes the key.
    expect(await a.put(key, text("a's zip"))).toBe(true);
    slow.push("zip");
    slow.end();
    expect(await losing).toBe(false);
    expect(await read(a, key)).toBe("a's zip");
    expect(await read(b, key)).toBe("a's zip");
    // The loser's temporary file is gone too.
    expect(readdirSync(b.tmp)).toEqual([]);
  });

  it("a writer that looked at the key before another published it still never replaces it", async () => {
    const a = new DiskStore(dir);
    const b = new DiskStore(dir);
    const key = "example.com/m/@v/v1.0.0.zip";
    let release!: () => void;
    slowLook.release = new Promise<void>((r) => (release = r));
    const looked = new Promise<void>((r) => (slowLook.started = r));
    slowLook.path = join(dir, key);
    const bWrites = b.put(key, text("b's zip"));
    // b has looked at the key and found it free (or, looking at nothing, already published).
    await Promise.race([looked, bWrites]);
    slowLook.path = undefined; // reads below look at once
    const aWon = await a.put(key, text("a's zip"));
    const firstRead = await read(a, key);
    release();
    const bWon = await bWrites;
    expect(await read(a, key)).toBe(firstRead);
    expect([aWon, bWon]).toEqual(firstRead === "a's zip" ? [true, false] : [false, true]);
  });

  it("an object being written is not visible under its key, nor listed, until it is whole", async () => {
    const store = new DiskStore(dir);
    const key = "example.com/m/@v/v1.0.0.zip";
    await store.put("example.com/m/@v/v1.0.0.info", text("{}"));
    const slow = pushedStream();
    const writing = store.put(key, slow.stream);
    slow.push("first half, ");
    await until(() => tempSizes(store).join() === "12");
    // The first half is in a temporary file: not under the key, not a key.
    expect(await store.get(key)).toBeUndefined();
    const listed = async () => {
      const keys: string[] = [];
      for await (const k of store.list!("")) keys.push(k);
      return keys.sort();
    };
    expect(await listed()).toEqual(["example.com/m/@v/v1.0.0.info"]);
    slow.push("second half");
    slow.end();
    expect(await writing).toBe(true);
    expect(await read(store, key)).toBe("first half, second half");
    expect(await listed()).toEqual(["example.com/m/@v/v1.0.0.info", key]);
  });

  it("a starting store leaves a live process's temporary directory alone, however old", async () => {
    const first = new DiskStore(dir);
    await first.put("example.com/m/@v/v1.0.0.info", text("{}"));
    const spool = first.spool();
    await spool.write(text("a download being spooled"));
    // Idle for two days: nothing touched the directory.
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(first.tmp, old, old);
    new DiskStore(dir); // a second instance, `modgate resolve`, a restarted cluster worker
    const source = await spool.finish();
    expect(new TextDecoder().decode(await source.read(0, source.size))).toBe("a download being spooled");
    await source.dispose();
    expect(await first.put("example.com/m/@v/v1.0.0.mod", text("module example.com/m\n"))).toBe(true);
  });

  it("a starting store removes the temporary directory of a process that is gone", () => {
    const pid = deadPid();
    // As modgate before this change named them (`<pid>-<hex>`): this host's.
    const left = join(dir, ".tmp", `${pid}-0badc0de`);
    mkdirSync(left, { recursive: true });
    writeFileSync(join(left, "half-written"), "x");
    const live = join(dir, ".tmp", `${process.pid}-0000cafe`);
    mkdirSync(live, { recursive: true });
    new DiskStore(dir);
    const names = readdirSync(join(dir, ".tmp"));
    expect(names).not.toContain(`${pid}-0badc0de`);
    expect(names).toContain(`${process.pid}-0000cafe`);
  });

  it("a store whose temporary directory was removed makes it again instead of failing every write", async () => {
    const store = new DiskStore(dir);
    rmSync(store.tmp, { recursive: true, force: true });
    expect(await store.put("example.com/m/@v/v1.0.0.info", text("{}"))).toBe(true);
    rmSync(join(dir, ".tmp"), { recursive: true, force: true });
    const spool = store.spool();
    await spool.write(text("spooled"));
    const source = await spool.finish();
    expect(source.size).toBe(7);
    await source.dispose();
    expect(await read(store, "example.com/m/@v/v1.0.0.info")).toBe("{}");
  });

  it("delete removes an object, and a later put writes the key again", async () => {
    const store = new DiskStore(dir);
    const key = "example.com/m/@v/v1.0.0.zip";
    await store.put(key, text("damaged"));
    await store.delete(key);
    await store.delete(key); // nothing there: no error
    expect(await store.get(key)).toBeUndefined();
    expect(await store.put(key, text("rebuilt"))).toBe(true);
    expect(await read(store, key)).toBe("rebuilt");
  });
});
