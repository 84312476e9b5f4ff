// `modgate store verify`'s core (store-verify.ts): every stored zip re-hashed
// (the zip library's archive reader and dirhash) and held against its record;
// each bad version named with why; with fix, removed whole.
import { describe, expect, it } from "vitest";
import { encodeZipRecord } from "../../src/proxy/cache/zip-record.js";
import { verifyStore, type BadVersion } from "../../src/proxy/cache/store-verify.js";
import { MemoryStore } from "../../src/proxy/store/memory-store.js";
import { cachingRepo, decode, FakeRepo, MODULE, overwrite, RECORD_KEY, text, ZIP_KEY } from "./fake-module-repo.js";

describe("verifyStore", () => {
  it("re-hashes every zip against its record, names each bad one and why, and fix removes the whole version", async () => {
    const store = new MemoryStore();
    const repo = cachingRepo(new FakeRepo(), store);
    for (const v of ["v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0"]) {
      await repo.info(v);
      await repo.goMod(v);
      await repo.zip(v);
    }
    expect(await verifyStore(store)).toEqual({ checked: 4, bad: [] });

    // v1.1.0: a byte changed, same size; v1.2.0: cut short; v1.3.0: its record lost.
    const z1 = await (await store.get(`${MODULE}/@v/v1.1.0.zip`))!.bytes();
    const changed = z1.slice();
    // The file's name in the central directory (the second time it appears): the files hash otherwise.
    changed[decode(changed).indexOf("m.go", decode(changed).indexOf("m.go") + 1)] = "n".charCodeAt(0);
    await overwrite(store, `${MODULE}/@v/v1.1.0.zip`, changed);
    await overwrite(store, `${MODULE}/@v/v1.2.0.zip`, z1.subarray(0, 100));
    await store.delete(`${MODULE}/@v/v1.3.0.ziphash`);

    const found: BadVersion[] = [];
    const report = await verifyStore(store, { onBad: (b) => found.push(b) });
    expect(report.checked).toBe(4);
    expect(report.bad).toEqual(found);
    expect(found.map((b) => b.name)).toEqual([`${MODULE}@v1.1.0`, `${MODULE}@v1.2.0`, `${MODULE}@v1.3.0`]);
    expect(found[0]!.why).toMatch(/^its files hash to h1:\S+, recorded h1:/);
    expect(found[1]!.why).toMatch(/^100 bytes, recorded \d+$/);
    expect(found[2]!.why).toMatch(/no recorded h1/);
    expect(found.every((b) => !b.removed)).toBe(true);
    expect(await store.get(`${MODULE}/@v/v1.1.0.zip`)).toBeDefined();

    const fixed = await verifyStore(store, { fix: true });
    expect(fixed.bad.map((b) => [b.name, b.removed])).toEqual(found.map((b) => [b.name, true]));
    for (const v of ["v1.1.0", "v1.2.0", "v1.3.0"]) {
      for (const ext of ["zip", "ziphash", "info", "mod"]) expect(await store.get(`${MODULE}/@v/${v}.${ext}`), `${v}.${ext}`).toBeUndefined();
    }
    expect(await store.get(`${MODULE}/@v/v1.0.0.zip`)).toBeDefined();
    expect(await verifyStore(store)).toEqual({ checked: 1, bad: [] });
  });

  it("a zip that is not a zip at all is bad, with the reader's reason", async () => {
    const store = new MemoryStore();
    const junk = text("<html>502 Bad Gateway</html>");
    await store.put(ZIP_KEY, junk);
    await store.put(RECORD_KEY, encodeZipRecord({ h1: "h1:" + "A".repeat(43) + "=", size: junk.length }));
    const report = await verifyStore(store);
    expect(report.bad.map((b) => b.why)).toEqual([expect.stringMatching(/^not a readable zip: archive: /)]);
  });

  it("a record whose zip is gone is bad; a store that cannot list is refused", async () => {
    const store = new MemoryStore();
    await store.put(RECORD_KEY, encodeZipRecord({ h1: "h1:" + "A".repeat(43) + "=", size: 10 }));
    expect((await verifyStore(store)).bad.map((b) => b.why)).toEqual(["a recorded h1 but no zip"]);
    const unlisted = Object.assign(Object.create(store) as MemoryStore, { list: undefined });
    await expect(verifyStore(unlisted)).rejects.toThrow(/cannot list/);
  });
});
