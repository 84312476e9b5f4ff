// src/lib/lru.ts: the proxy's bounded memos (in place of lru-cache, for the Worker bundle's budget).
import { describe, expect, it } from "vitest";
import { Lru } from "../../src/lib/lru.js";

describe("Lru", () => {
  it("evicts the least recently set entry beyond max", () => {
    const lru = new Lru<string, number>({ max: 2 });
    lru.set("a", 1).set("b", 2).set("c", 3);
    expect(lru.get("a")).toBeUndefined();
    expect(lru.get("b")).toBe(2);
    expect(lru.get("c")).toBe(3);
    expect(lru.size).toBe(2);
  });

  it("a get makes an entry recent, so the other one goes", () => {
    const lru = new Lru<string, number>({ max: 2 });
    lru.set("a", 1).set("b", 2);
    expect(lru.get("a")).toBe(1);
    lru.set("c", 3);
    expect(lru.has("a")).toBe(true);
    expect(lru.has("b")).toBe(false);
  });

  it("setting a held key replaces it and makes it recent without growing", () => {
    const lru = new Lru<string, number>({ max: 2 });
    lru.set("a", 1).set("b", 2).set("a", 10).set("c", 3);
    expect(lru.get("a")).toBe(10);
    expect(lru.has("b")).toBe(false);
    expect(lru.size).toBe(2);
  });

  it("keeps falsy values and undefined apart from absence", () => {
    const lru = new Lru<string, number | null>({ max: 3 });
    lru.set("zero", 0).set("null", null);
    expect(lru.get("zero")).toBe(0);
    expect(lru.get("null")).toBeNull();
    expect(lru.has("none")).toBe(false);
  });

  it("getting the most recent entry again keeps the order; deleting or replacing it does not confuse it", () => {
    const lru = new Lru<string, number>({ max: 3 });
    lru.set("a", 1).set("b", 2).set("c", 3);
    expect(lru.get("c")).toBe(3);
    expect(lru.get("c")).toBe(3);
    expect(lru.get("a")).toBe(1); // order now b, c, a
    expect(lru.get("a")).toBe(1);
    lru.set("d", 4); // b goes
    expect(lru.has("b")).toBe(false);
    lru.delete("d"); // the newest gone: a get of it must not count as recent
    expect(lru.get("d")).toBeUndefined();
    lru.set("d", 4).set("e", 5); // c goes (order was c, a, then d, e)
    expect([..."acde"].filter((k) => lru.has(k))).toEqual(["a", "d", "e"]);
    expect(lru.get("a")).toBe(1);
    lru.set("f", 6); // d goes: a was made recent
    expect([..."adef"].filter((k) => lru.has(k))).toEqual(["a", "e", "f"]);
  });

  it("has does not make an entry recent", () => {
    const lru = new Lru<string, number>({ max: 2 });
    lru.set("a", 1).set("b", 2);
    expect(lru.has("a")).toBe(true);
    lru.set("c", 3);
    expect(lru.has("a")).toBe(false);
  });

  it("delete says whether the key was held", () => {
    const lru = new Lru<string, number>({ max: 2 });
    lru.set("a", 1);
    expect(lru.delete("a")).toBe(true);
    expect(lru.delete("a")).toBe(false);
    expect(lru.size).toBe(0);
  });

  describe("with a size bound", () => {
    const bytes = (n: number) => new Uint8Array(n);
    const sized = () => new Lru<string, Uint8Array>({ max: 100, maxSize: 10, sizeOf: (v) => v.length });

    it("evicts least recently used entries until the total fits", () => {
      const lru = sized();
      lru.set("a", bytes(4)).set("b", bytes(4));
      lru.get("a");
      lru.set("c", bytes(4));
      expect(lru.has("b")).toBe(false);
      expect(lru.has("a")).toBe(true);
      expect(lru.has("c")).toBe(true);
      expect(lru.totalSize).toBe(8);
    });

    it("keeps the total right across replace and delete", () => {
      const lru = sized();
      lru.set("a", bytes(3)).set("a", bytes(5)).set("b", bytes(2));
      expect(lru.totalSize).toBe(7);
      lru.delete("a");
      expect(lru.totalSize).toBe(2);
    });

    it("does not keep a value larger than the whole bound, nor push the others out for it", () => {
      const lru = sized();
      lru.set("a", bytes(4)).set("big", bytes(11));
      expect(lru.has("big")).toBe(false);
      expect(lru.has("a")).toBe(true);
      expect(lru.totalSize).toBe(4);
    });

    it("evicts by count too", () => {
      const lru = new Lru<string, Uint8Array>({ max: 2, maxSize: 100, sizeOf: (v) => v.length });
      lru.set("a", bytes(1)).set("b", bytes(1)).set("c", bytes(1));
      expect(lru.has("a")).toBe(false);
      expect(lru.totalSize).toBe(2);
    });
  });

  it("refuses bounds that could keep nothing, or a size bound without a measure", () => {
    expect(() => new Lru({ max: 0 })).toThrow(/max must be at least 1/);
    expect(() => new Lru<string, number>({ max: 1, maxSize: 5 })).toThrow(/go together/);
  });
});
