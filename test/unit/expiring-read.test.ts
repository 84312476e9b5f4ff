// Expiring.read (lib/expiring.ts): stale-while-revalidate for one value, with an injected clock.
import { describe, expect, it } from "vitest";
import { Expiring } from "../../src/lib/expiring.js";

function source() {
  let t = 0;
  const calls: { resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  const e = new Expiring<number>(
    1000,
    () => t,
    () => new Promise<number>((resolve, reject) => calls.push({ resolve, reject })),
  );
  return { e, calls, advance: (ms: number) => void (t += ms) };
}

describe("Expiring.read", () => {
  it("waits for the first value; a due value is stale at once while one refresh runs", async () => {
    const { e, calls, advance } = source();
    const first = e.read({ graceMs: 0 });
    calls[0]!.resolve(1);
    expect(await first).toEqual({ data: 1, stale: false });
    advance(1001);
    // graceMs 0: not waited for at all.
    expect(await e.read({ graceMs: 0 })).toEqual({ data: 1, stale: true });
    expect(await e.read({ graceMs: 5_000 })).toEqual({ data: 1, stale: true });
    expect(calls).toHaveLength(2);
    calls[1]!.resolve(2);
    await Promise.resolve();
    expect(await e.read({ graceMs: 0 })).toEqual({ data: 2, stale: false });
  });

  it("a refresh that settles within the grace is the answer; a failed one gives the last value, and a pause before the next", async () => {
    const { e, calls, advance } = source();
    const first = e.read({ graceMs: 0 });
    calls[0]!.resolve(1);
    await first;
    advance(1001);
    const waited = e.read({ graceMs: 5_000 });
    calls[1]!.resolve(2);
    expect(await waited).toEqual({ data: 2, stale: false });
    advance(1001);
    const failed = e.read({ graceMs: 5_000 });
    calls[2]!.reject(new Error("GitLab down"));
    expect(await failed).toEqual({ data: 2, stale: true });
    expect(await e.read({ graceMs: 5_000 })).toEqual({ data: 2, stale: true });
    expect(calls).toHaveLength(3);
    advance(1000);
    void e.read({ graceMs: 0 });
    expect(calls).toHaveLength(4);
  });

  it("while the source is known to fail: stale at once, even a value fresh by its age", async () => {
    const { e, calls, advance } = source();
    const first = e.read({ graceMs: 0 });
    calls[0]!.resolve(1);
    await first;
    expect(await e.read({ graceMs: 5_000, failing: () => true })).toEqual({ data: 1, stale: true });
    advance(1001);
    expect(await e.read({ graceMs: 5_000, failing: () => true })).toEqual({ data: 1, stale: true });
    expect(calls).toHaveLength(2);
  });

  it("get() still waits for a due value and falls back to the last one when the refresh fails", async () => {
    const { e, calls, advance } = source();
    const first = e.get();
    calls[0]!.resolve(1);
    expect(await first).toBe(1);
    advance(1001);
    const again = e.get();
    calls[1]!.reject(new Error("down"));
    expect(await again).toBe(1);
  });
});
