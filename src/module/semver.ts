// Semantic versions as the go command reads them (golang.org/x/mod/semver):
// a leading "v" is required, "v1" and "v1.2" are valid shorthands for
// "v1.0.0" and "v1.2.0", and build metadata ("+incompatible", "+meta") is
// ignored by compare. An invalid version is smaller than every valid one, and
// two invalid versions are equal — the go command sorts tag lists this way,
// so @v/list and pseudo-version bases must too.

interface Parsed {
  major: string;
  minor: string;
  patch: string;
  /** ".0.0" or ".0" when the version was a shorthand, else "". */
  short: string;
  /** "-pre" including the dash, or "". */
  prerelease: string;
  /** "+build" including the plus, or "". */
  build: string;
}

/** Digits with no superfluous leading zero, at the start of `v`. */
function parseInt(v: string): [num: string, rest: string] | undefined {
  let i = 0;
  while (i < v.length && isDigit(v.charCodeAt(i))) i++;
  if (i === 0 || (v[0] === "0" && i !== 1)) return undefined;
  return [v.slice(0, i), v.slice(i)];
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isIdentChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || isDigit(c) || c === 0x2d;
}

/** A numeric identifier with a leading zero ("01") is not allowed in a prerelease. */
function isBadNum(v: string): boolean {
  return /^[0-9]+$/.test(v) && v.length > 1 && v[0] === "0";
}

/** Dot-separated non-empty identifiers of [0-9A-Za-z-] (prerelease: no leading zeros in numbers). */
function identifiersOk(v: string, checkNums: boolean): boolean {
  if (v === "") return false;
  for (const part of v.split(".")) {
    if (part === "" || (checkNums && isBadNum(part))) return false;
    for (let i = 0; i < part.length; i++) if (!isIdentChar(part.charCodeAt(i))) return false;
  }
  return true;
}

function parse(v: string): Parsed | undefined {
  if (v === "" || v[0] !== "v") return undefined;
  const major = parseInt(v.slice(1));
  if (!major) return undefined;
  let rest = major[1];
  const p: Parsed = { major: major[0], minor: "0", patch: "0", short: "", prerelease: "", build: "" };
  if (rest === "") return { ...p, short: ".0.0" };
  if (rest[0] !== ".") return undefined;
  const minor = parseInt(rest.slice(1));
  if (!minor) return undefined;
  p.minor = minor[0];
  rest = minor[1];
  if (rest === "") return { ...p, short: ".0" };
  if (rest[0] !== ".") return undefined;
  const patch = parseInt(rest.slice(1));
  if (!patch) return undefined;
  p.patch = patch[0];
  rest = patch[1];
  if (rest[0] === "-") {
    const end = rest.indexOf("+");
    const pre = end < 0 ? rest : rest.slice(0, end);
    if (!identifiersOk(pre.slice(1), true)) return undefined;
    p.prerelease = pre;
    rest = rest.slice(pre.length);
  }
  if (rest[0] === "+") {
    if (!identifiersOk(rest.slice(1), false)) return undefined;
    p.build = rest;
    rest = "";
  }
  return rest === "" ? p : undefined;
}

/** semver.IsValid. */
export function isValid(v: string): boolean {
  return parse(v) !== undefined;
}

/** semver.Canonical: "v1.2" → "v1.2.0", build metadata dropped; "" if invalid. */
export function canonical(v: string): string {
  const p = parse(v);
  if (!p) return "";
  if (p.build !== "") return v.slice(0, v.length - p.build.length);
  return v + p.short;
}

/** semver.Major: "v1.2.3" → "v1"; "" if invalid. */
export function major(v: string): string {
  const p = parse(v);
  return p ? v.slice(0, 1 + p.major.length) : "";
}

/** semver.MajorMinor: "v1.2.3" → "v1.2", "v1" → "v1.0"; "" if invalid. */
export function majorMinor(v: string): string {
  const p = parse(v);
  if (!p) return "";
  const i = 1 + p.major.length;
  const j = i + 1 + p.minor.length;
  if (j <= v.length && v[i] === "." && v.slice(i + 1, j) === p.minor) return v.slice(0, j);
  return v.slice(0, i) + "." + p.minor;
}

/** semver.Prerelease: "v1.2.3-pre+b" → "-pre"; "" if none or invalid. */
export function prerelease(v: string): string {
  return parse(v)?.prerelease ?? "";
}

/** semver.Build: "v1.2.3+meta" → "+meta"; "" if none or invalid. */
export function build(v: string): string {
  return parse(v)?.build ?? "";
}

/** Decimal strings without leading zeros, compared by value. */
function compareInt(x: string, y: string): number {
  if (x === y) return 0;
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : 1;
}

/** SemVer §11: no prerelease > any prerelease; numeric identifiers < alphanumeric ones. */
function comparePrerelease(x: string, y: string): number {
  if (x === y) return 0;
  if (x === "") return 1;
  if (y === "") return -1;
  const xs = x.slice(1).split(".");
  const ys = y.slice(1).split(".");
  for (let i = 0; i < xs.length && i < ys.length; i++) {
    const dx = xs[i]!;
    const dy = ys[i]!;
    if (dx === dy) continue;
    const nx = /^[0-9]*$/.test(dx);
    const ny = /^[0-9]*$/.test(dy);
    if (nx !== ny) return nx ? -1 : 1;
    if (nx && dx.length !== dy.length) return dx.length < dy.length ? -1 : 1;
    return dx < dy ? -1 : 1;
  }
  return xs.length < ys.length ? -1 : 1;
}

/** semver.Compare: -1, 0 or +1; build metadata ignored; invalid < valid. */
export function compare(v: string, w: string): number {
  const pv = parse(v);
  const pw = parse(w);
  if (!pv && !pw) return 0;
  if (!pv) return -1;
  if (!pw) return 1;
  return compareInt(pv.major, pw.major) || compareInt(pv.minor, pw.minor) || compareInt(pv.patch, pw.patch) || comparePrerelease(pv.prerelease, pw.prerelease);
}

/** semver.Max: the larger of the two canonical forms ("" if both are invalid). */
export function max(v: string, w: string): string {
  const cv = canonical(v);
  const cw = canonical(w);
  return compare(cv, cw) > 0 ? cv : cw;
}

/**
 * Byte-wise order of the UTF-8 encodings (Go's strings.Compare), without
 * encoding: UTF-8 byte order is code point order, and UTF-16 unit order
 * differs from it only where a surrogate (a code point above U+FFFF) meets a
 * unit in U+E000–U+FFFF.
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** semver.Sort: by compare, ties (and invalid versions) by byte order. Sorts in place and returns the list. */
export function sort(list: string[]): string[] {
  return list.sort((a, b) => compare(a, b) || compareBytes(a, b));
}
