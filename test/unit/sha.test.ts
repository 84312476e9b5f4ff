// src/core/sha.ts: incremental SHA-256 and SHA-1 (in place of @noble/hashes, for the Worker bundle's budget).
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Sha1, Sha256, sha256, toHex } from "../../src/core/sha.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("SHA-256 and SHA-1", () => {
  // FIPS 180-4 examples (NIST CSRC example values) and the empty input.
  it.each([
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "da39a3ee5e6b4b0d3255bfef95601890afd80709"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "a9993e364706816aba3e25717850c26c9cd0d89d"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
    ],
  ])("%j", (input, want256, want1) => {
    expect(toHex(sha256(utf8(input)))).toBe(want256);
    expect(toHex(new Sha1().update(utf8(input)).digest())).toBe(want1);
  });

  it("a million 'a's (FIPS 180-4 long example)", () => {
    const chunk = utf8("a".repeat(1000));
    const h256 = new Sha256();
    const h1 = new Sha1();
    for (let i = 0; i < 1000; i++) h256.update(chunk), h1.update(chunk);
    expect(toHex(h256.digest())).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    expect(toHex(h1.digest())).toBe("34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  });

  it("equals node:crypto for every length around the padding edges and random splits", () => {
    for (let n = 0; n < 300; n++) {
      const data = new Uint8Array(randomBytes(n));
      const cut = Math.floor(Math.random() * (n + 1));
      const cut2 = cut + Math.floor(Math.random() * (n - cut + 1));
      // A subarray with an offset, so reads go through byteOffset as streamed chunks do.
      const padded = new Uint8Array(n + 3);
      padded.set(data, 3);
      const view = padded.subarray(3);
      const h256 = new Sha256().update(view.subarray(0, cut)).update(view.subarray(cut, cut2)).update(view.subarray(cut2));
      const h1 = new Sha1().update(view.subarray(0, cut)).update(view.subarray(cut, cut2)).update(view.subarray(cut2));
      expect(toHex(h256.digest()), `length ${n}`).toBe(createHash("sha256").update(data).digest("hex"));
      expect(toHex(h1.digest()), `length ${n}`).toBe(createHash("sha1").update(data).digest("hex"));
    }
  });

  it("equals node:crypto over a few MiB in uneven chunks", () => {
    const data = new Uint8Array(randomBytes(3 << 20));
    const h = new Sha256();
    for (let at = 0; at < data.length; ) {
      const n = 1 + Math.floor(Math.random() * 100_000);
      h.update(data.subarray(at, at + n));
      at += n;
    }
    expect(toHex(h.digest())).toBe(createHash("sha256").update(data).digest("hex"));
  });

  it("refuses to be used after its digest", () => {
    const h = new Sha256();
    h.digest();
    expect(() => h.update(utf8("x"))).toThrow(/after digest/);
    expect(() => h.digest()).toThrow(/twice/);
  });
});

describe("hmacSha256", () => {
  it("equals node:crypto's HMAC-SHA-256 (RFC 4231 case 2 and long keys)", async () => {
    const { createHmac } = await import("node:crypto");
    const { hmacSha256, toHex } = await import("../../src/core/sha.js");
    const enc = new TextEncoder();
    // RFC 4231 test case 2.
    expect(toHex(hmacSha256(enc.encode("Jefe"), enc.encode("what do ya want for nothing?")))).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
      const key = crypto.getRandomValues(new Uint8Array(keyLength));
      const message = crypto.getRandomValues(new Uint8Array(keyLength * 3 + 7));
      expect(toHex(hmacSha256(key, message))).toBe(createHmac("sha256", key).update(message).digest("hex"));
    }
  });
});
