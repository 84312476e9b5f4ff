// The Worker's content stores and spool inside workerd, against miniflare's
// R2 and Cache API: first write wins, large zips in parts, a failed build
// leaves nothing a reader could take for a zip, the spool's ceiling.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { R2Store, PART_SIZE, type R2BucketLike } from "../../src/proxy/store/r2-store.js";
import { CacheStore } from "../../src/proxy/store/cache-store.js";
import { boundedMemorySpool, SpoolBudget } from "../../src/proxy/store/bounded-spool.js";
import { TooLargeError } from "../../src/proxy/repo/errors.js";

const bucket = (env as { MODGATE_STORE: R2BucketLike }).MODGATE_STORE;
const spool = () => boundedMemorySpool(new SpoolBudget(1 << 20));

/** `size` bytes of a repeatable pattern, in chunks of `chunk` bytes; fails after `failAfter` bytes if given. */
function patterned(size: number, chunk: number, failAfter?: number): { bytes: Uint8Array; stream: ReadableStream<Uint8Array> } {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 9)) & 0xff;
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter !== undefined && at >= failAfter) return controller.error(new Error("GitLab broke off"));
      if (at >= size) return controller.close();
      controller.enqueue(bytes.slice(at, Math.min(size, at + chunk)));
      at += chunk;
    },
  });
  return { bytes, stream };
}

const unique = (name: string) => `test/${name}-${crypto.randomUUID()}`;

describe("R2Store", () => {
  const store = new R2Store({ bucket, spool });

  it("first write wins for a one-part object, and put says which write created it", async () => {
    const key = unique("once.info");
    expect(await store.put(key, new TextEncoder().encode("first"))).toBe(true);
    expect(await store.put(key, new TextEncoder().encode("second"))).toBe(false);
    expect(new TextDecoder().decode(await (await store.get(key))!.bytes())).toBe("first");
  });

  it("first write wins for a multipart zip too", async () => {
    const key = unique("twice.zip");
    const first = patterned(PART_SIZE + 10, 65536);
    expect(await store.put(key, first.stream)).toBe(true);
    expect(await store.put(key, patterned(PART_SIZE + 20, 65536).stream)).toBe(false);
    const stored = (await store.get(key))!;
    expect(stored.size).toBe(PART_SIZE + 10);
  });

  it("delete removes an object; the key can be written again", async () => {
    const key = unique("damaged.zip");
    await store.put(key, new TextEncoder().encode("damaged"));
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.put(key, new TextEncoder().encode("rebuilt"))).toBe(true);
    expect(new TextDecoder().decode(await (await store.get(key))!.bytes())).toBe("rebuilt");
  });

  it("streams a zip larger than two parts up in parts and back byte for byte", async () => {
    const key = unique("big.zip");
    // Chunks that straddle part boundaries.
    const { bytes, stream } = patterned(2 * PART_SIZE + 12345, 100_003);
    await store.put(key, stream);
    const stored = (await store.get(key))!;
    expect(stored.size).toBe(bytes.length);
    const back = new Uint8Array(await new Response(stored.stream()).arrayBuffer());
    expect(back.length).toBe(bytes.length);
    expect(back.every((b, i) => b === bytes[i])).toBe(true);
  });

  it("a stream that fails leaves nothing, small or in parts", async () => {
    for (const [size, failAfter] of [
      [1000, 500],
      [2 * PART_SIZE, PART_SIZE + 65536],
    ] as const) {
      const key = unique("failed.zip");
      await expect(store.put(key, patterned(size, 65536, failAfter).stream)).rejects.toThrow(/broke off/);
      expect(await store.get(key)).toBeUndefined();
    }
  });
});

describe("CacheStore (no R2 binding)", () => {
  const cache = (caches as unknown as { default: Cache }).default;
  const store = new CacheStore(cache, spool);

  it("streams a zip in and back with its size", async () => {
    const key = unique("cached.zip");
    const { bytes, stream } = patterned(300_000, 7_001);
    await store.put(key, stream);
    const stored = (await store.get(key))!;
    expect(stored.size).toBe(bytes.length);
    expect(await stored.bytes()).toEqual(bytes);
  });

  it("first write wins, and put says which write created it", async () => {
    const key = unique("once.mod");
    expect(await store.put(key, new TextEncoder().encode("first"))).toBe(true);
    expect(await store.put(key, new TextEncoder().encode("second"))).toBe(false);
    expect(new TextDecoder().decode(await (await store.get(key))!.bytes())).toBe("first");
  });

  it("delete removes an object; the key can be written again", async () => {
    const key = unique("damaged.zip");
    await store.put(key, new TextEncoder().encode("damaged"));
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.put(key, new TextEncoder().encode("rebuilt"))).toBe(true);
    expect(new TextDecoder().decode(await (await store.get(key))!.bytes())).toBe("rebuilt");
  });

  it("a stream that fails leaves nothing under the key (workerd would keep the part it got)", async () => {
    const key = unique("failed.zip");
    await expect(store.put(key, patterned(100_000, 10_000, 50_000).stream)).rejects.toThrow(/broke off/);
    expect(await store.get(key)).toBeUndefined();
  });

  it("a commit record whose bytes were evicted is a miss, not an empty zip", async () => {
    const key = unique("evicted.zip");
    await store.put(key, patterned(1000, 100).stream);
    const record = (await (await cache.match(`https://modgate-store.invalid/${key}`))!.json()) as { data: string };
    await cache.delete(`https://modgate-store.invalid/${record.data}`);
    expect(await store.get(key)).toBeUndefined();
  });
});

describe("bounded in-memory spool", () => {
  it("reads any range across chunk boundaries", async () => {
    const s = boundedMemorySpool(new SpoolBudget(1 << 20));
    const { bytes } = patterned(10_000, 1);
    for (let at = 0; at < bytes.length; at += 777) await s.write(bytes.slice(at, at + 777));
    const source = await s.finish();
    expect(source.size).toBe(10_000);
    for (const [offset, length] of [
      [0, 10],
      [770, 20],
      [1, 9_999],
      [9_990, 100],
      [10_000, 5],
      [1554, 777],
    ] as const) {
      expect(await source.read(offset, length)).toEqual(bytes.slice(offset, offset + length));
    }
    await source.dispose();
  });

  it("refuses an archive over the ceiling, saying so (not transient)", async () => {
    const s = boundedMemorySpool(new SpoolBudget(1000));
    await s.write(new Uint8Array(600));
    const err = await s.write(new Uint8Array(600)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect((err as TooLargeError).transient).toBe(false);
    expect((err as Error).message).toMatch(/larger than the 0\.\d+ MiB the Worker can hold/);
  });

  it("shares one budget: a second build over it is told to retry, and disposing gives the memory back", async () => {
    const budget = new SpoolBudget(1000);
    const a = boundedMemorySpool(budget);
    await a.write(new Uint8Array(800));
    const b = boundedMemorySpool(budget);
    const err = await b.write(new Uint8Array(300)).catch((e: unknown) => e);
    expect((err as TooLargeError).transient).toBe(true);
    await (await a.finish()).dispose();
    expect(budget.inUse).toBe(0);
    const c = boundedMemorySpool(budget);
    await c.write(new Uint8Array(900));
    expect(budget.inUse).toBe(900);
  });
});
