// Incremental SHA-256 and SHA-1 (FIPS 180-4). Web Crypto's digest() takes
// the whole input at once, but h1 (SHA-256) and git blob ids (SHA-1) are
// computed over files as they stream, which must never be held whole. Written
// here instead of importing @noble/hashes because the Worker bundle has a
// 48 KiB gzipped budget (issue 12); test/unit/sha.test.ts checks both against
// node:crypto over random inputs split at random points.

/** The first `count` primes: the round constants below are derived from them. */
function primes(count: number): number[] {
  const out: number[] = [];
  for (let n = 2; out.length < count; n++) if (out.every((p) => n % p !== 0)) out.push(n);
  return out;
}

/** floor(x^(1/k)) for a BigInt x, exactly (Newton's method on integers). */
function integerRoot(x: bigint, k: bigint): bigint {
  let r = BigInt(Math.floor(Number(x) ** (1 / Number(k)))) + 2n;
  for (;;) {
    const next = ((k - 1n) * r + x / r ** (k - 1n)) / k;
    if (next >= r) break;
    r = next;
  }
  while (r ** k > x) r--;
  return r;
}

/** First 32 bits of the fractional part of p^(1/k): floor(p^(1/k) * 2^32) mod 2^32, exactly. */
function fractionBits(p: number, k: bigint): number {
  return Number(integerRoot(BigInt(p) << (32n * k), k) & 0xffffffffn);
}

const FIRST_PRIMES = primes(64);
/** FIPS 180-4 §4.2.2: cube roots of the first 64 primes. */
const K256 = Int32Array.from(FIRST_PRIMES, (p) => fractionBits(p, 3n));
/** FIPS 180-4 §5.3.3: square roots of the first 8 primes. */
const H256 = Int32Array.from(FIRST_PRIMES.slice(0, 8), (p) => fractionBits(p, 2n));

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

// The words are kept in Int32Arrays and every sum is truncated with `| 0`: V8
// then keeps them as 32-bit integers (about 2.5 times faster than uint32
// values, which it has to hold as doubles); the bits are the same.

/** The Merkle–Damgård frame both hashes share: 64-byte blocks, 0x80 padding, a 64-bit big-endian bit length. */
abstract class BlockHash {
  private readonly block = new Uint8Array(64);
  private readonly blockView = new DataView(this.block.buffer);
  private filled = 0;
  /** Bytes hashed so far: exact as a double up to 2^53, far beyond any input here. */
  private length = 0;
  private finished = false;

  protected abstract compress(view: DataView, at: number): void;
  protected abstract state(): Int32Array;

  update(data: Uint8Array): this {
    if (this.finished) throw new Error("hash: update after digest");
    this.length += data.length;
    let at = 0;
    if (this.filled > 0) {
      at = Math.min(64 - this.filled, data.length);
      this.block.set(data.subarray(0, at), this.filled);
      this.filled += at;
      if (this.filled < 64) return this;
      this.compress(this.blockView, 0);
      this.filled = 0;
    }
    // Whole blocks straight from the input, without copying.
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (; at + 64 <= data.length; at += 64) this.compress(view, at);
    this.block.set(data.subarray(at), 0);
    this.filled = data.length - at;
    return this;
  }

  /** The digest, big-endian; the hash is used up. */
  digest(): Uint8Array {
    if (this.finished) throw new Error("hash: digest twice");
    this.finished = true;
    this.block[this.filled++] = 0x80;
    if (this.filled > 56) {
      this.block.fill(0, this.filled);
      this.compress(this.blockView, 0);
      this.filled = 0;
    }
    this.block.fill(0, this.filled, 56);
    const bits = this.length * 8;
    this.blockView.setUint32(56, Math.floor(bits / 2 ** 32));
    this.blockView.setUint32(60, bits >>> 0);
    this.compress(this.blockView, 0);
    const words = this.state();
    const out = new Uint8Array(words.length * 4);
    const outView = new DataView(out.buffer);
    words.forEach((w, i) => outView.setInt32(i * 4, w));
    return out;
  }
}

export class Sha256 extends BlockHash {
  private readonly h = H256.slice();
  private readonly w = new Int32Array(64);

  protected state(): Int32Array {
    return this.h;
  }

  protected compress(view: DataView, at: number): void {
    const w = this.w;
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(at + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      w[i] = (w[i - 16]! + (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) + w[i - 7]! + (rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10))) | 0;
    }
    const h = this.h;
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[i]! + w[i]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d! + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    // Int32Array stores modulo 2^32: the additions wrap as the standard says.
    h[0]! += a;
    h[1]! += b;
    h[2]! += c;
    h[3]! += d;
    h[4]! += e;
    h[5]! += f;
    h[6]! += g;
    h[7]! += hh;
  }
}

export class Sha1 extends BlockHash {
  private readonly h = Int32Array.of(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0);
  private readonly w = new Int32Array(80);

  protected state(): Int32Array {
    return this.h;
  }

  protected compress(view: DataView, at: number): void {
    const w = this.w;
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(at + i * 4);
    for (let i = 16; i < 80; i++) w[i] = rotr(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 31);
    const h = this.h;
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!;
    for (let i = 0; i < 80; i++) {
      const f = i < 20 ? (b & c) | (~b & d) : i < 40 || i >= 60 ? b ^ c ^ d : (b & c) | (b & d) | (c & d);
      const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc | 0 : 0xca62c1d6 | 0;
      const t = (rotr(a, 27) + f + e + k + w[i]!) | 0;
      e = d;
      d = c;
      c = rotr(b, 2);
      b = a;
      a = t;
    }
    h[0]! += a;
    h[1]! += b;
    h[2]! += c;
    h[3]! += d;
    h[4]! += e;
  }
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += (b < 16 ? "0" : "") + b.toString(16);
  return out;
}

/** SHA-256 of bytes held in memory. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new Sha256().update(bytes).digest();
}

/** HMAC-SHA-256 (RFC 2104), synchronous: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message)). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const BLOCK = 64;
  const k = new Uint8Array(BLOCK);
  k.set(key.length > BLOCK ? sha256(key) : key);
  const inner = new Uint8Array(BLOCK);
  const outer = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = k[i]! ^ 0x36;
    outer[i] = k[i]! ^ 0x5c;
  }
  const innerHash = new Sha256().update(inner).update(message).digest();
  return new Sha256().update(outer).update(innerHash).digest();
}
