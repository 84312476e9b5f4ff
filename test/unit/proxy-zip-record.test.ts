// What the store records of a zip (h1 and size, zip-record.ts) and what the
// caching repo does with it: a stored zip whose size is not its record's is
// never served (it is removed and built again); only the build whose zip the
// store kept records the hash; the old one-line record still reads.
import { describe, expect, it } from "vitest";
import { CachingRepo } from "../../src/proxy/cache/caching-repo.js";
import { encodeZipRecord, parseZipRecord } from "../../src/proxy/cache/zip-record.js";
import { MemoryStore } from "../../src/proxy/store/memory-store.js";
import type { StoredObject } from "../../src/proxy/store/store.js";
import { built, cachingRepo, decode, FakeRepo, MODULE, overwrite, RECORD_KEY, text, V, ZIP_KEY } from "./fake-module-repo.js";

describe("the zip record", () => {
  it("holds the h1 and the size, and reads the old one-line record", () => {
    const h1 = "h1:" + "A".repeat(43) + "=";
    expect(decode(encodeZipRecord({ h1, size: 1234 }))).toBe(`${h1}\n1234\n`);
    expect(parseZipRecord(encodeZipRecord({ h1, size: 1234 }))).toEqual({ h1, size: 1234 });
    expect(parseZipRecord(text(`${h1}\n`))).toEqual({ h1 });
    expect(parseZipRecord(text("not a record\n"))).toBeUndefined();
    expect(parseZipRecord(text(`${h1}\n12x\n`))).toBeUndefined();
  });

  it("is written by a build, with the zip's size", async () => {
    const store = new MemoryStore();
    const repo = cachingRepo(new FakeRepo(), store);
    const zip = await repo.zip(V);
    const want = await built("package m\n");
    expect(parseZipRecord(await (await store.get(RECORD_KEY))!.bytes())).toEqual({ h1: want.h1, size: zip.size });
    expect(await repo.zipHash(V)).toBe(want.h1);
  });

  it("an old one-line record still gives the h1, and its zip is served", async () => {
    const store = new MemoryStore();
    const want = await built("package m\n");
    await store.put(ZIP_KEY, want.bytes);
    await store.put(RECORD_KEY, text(want.h1 + "\n"));
    const fake = new FakeRepo();
    const repo = cachingRepo(fake, store);
    expect(await repo.zipHash(V)).toBe(want.h1);
    expect((await repo.zip(V)).size).toBe(want.size);
    expect(fake.zips).toBe(0);
  });
});

describe("a stored zip whose size is not its record's", () => {
  for (const damage of ["cut short", "grown"] as const) {
    it(`(${damage}) is never served: removed and built again, in a fresh process and in one that served it before`, async () => {
      const store = new MemoryStore();
      const first = new FakeRepo();
      const serving = cachingRepo(first, store);
      const good = await serving.zip(V);
      const goodBytes = await good.bytes();
      expect((await serving.zip(V)).size).toBe(good.size); // its record is now remembered
      const bad = damage === "cut short" ? goodBytes.subarray(0, goodBytes.length - 10) : new Uint8Array([...goodBytes, 0]);

      for (const repo of [serving, cachingRepo(new FakeRepo(), store)]) {
        await overwrite(store, ZIP_KEY, bad);
        const note: { fromStore?: boolean } = {};
        const served = await repo.zip(V, note);
        expect(served.size).toBe(good.size);
        expect(await served.bytes()).toEqual(goodBytes);
        expect(note.fromStore).toBe(false); // built again
        expect(parseZipRecord(await (await store.get(RECORD_KEY))!.bytes())?.size).toBe(good.size);
      }
      expect(first.zips).toBe(2);
    });
  }

  it("when the rebuilt zip differs (a moved tag), its own h1 and size are recorded", async () => {
    const store = new MemoryStore();
    await cachingRepo(new FakeRepo(), store).zip(V);
    await overwrite(store, ZIP_KEY, text("cut"));
    const moved = await built("package m\n\nconst Moved = 1\n");
    const repo = cachingRepo(new FakeRepo("package m\n\nconst Moved = 1\n"), store);
    expect((await repo.zip(V)).size).toBe(moved.size);
    expect(await repo.zipHash(V)).toBe(moved.h1);
    // And it stays: the next request serves it.
    expect((await cachingRepo(new FakeRepo(), store).zip(V)).size).toBe(moved.size);
  });
});

describe("two processes building one version", () => {
  it("the build whose zip lost records nothing: the winner's h1 is recorded, not the loser's", async () => {
    // Process A published its zip and has not yet recorded its hash; process
    // B, which looked before A published, builds from a tag moved since.
    const store = new MemoryStore();
    const a = await built("package m\n");
    await store.put(ZIP_KEY, a.bytes);
    let looked = false;
    const late = Object.assign(Object.create(store) as MemoryStore, {
      async get(key: string): Promise<StoredObject | undefined> {
        if (key === ZIP_KEY && !looked) {
          looked = true;
          return undefined;
        }
        return store.get(key);
      },
    });
    const b = new CachingRepo(new FakeRepo("package m\n\nconst B = 1\n"), { store: late, escapedPath: MODULE, listTtlMs: 0, now: () => 0 });
    const served = await b.zip(V);
    expect(await served.bytes()).toEqual(a.bytes);
    // Nothing recorded yet: A records its own h1 next.
    expect(await store.get(RECORD_KEY)).toBeUndefined();
    expect(await b.zipHash(V)).toBe("");
    await store.put(RECORD_KEY, encodeZipRecord(a));
    expect(await b.zipHash(V)).toBe(a.h1);
  });
});
