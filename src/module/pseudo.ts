// Pseudo-versions (golang.org/x/mod/module/pseudo.go; docs/go-rules.md §2.6): the
// versions the go command invents for untagged commits,
//   (1) vX.0.0-yyyymmddhhmmss-abcdefabcdef       no tag before the commit
//   (2) vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdef...    after release tag vX.Y.Z
//   (3) vX.Y.Z-pre.0.yyyymmddhhmmss-abcdef...    after prerelease tag vX.Y.Z-pre
// They sort after their base and before the next release, and encode the
// commit time (UTC, seconds) and a 12-hex-digit revision prefix.
import { goQuote, invalidVersion } from "./errors.js";
import { build as semverBuild, canonical, isValid, major as semverMajor, prerelease } from "./semver.js";

const PSEUDO_RE = /^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** Time.Format("20060102150405") in UTC. */
function timestamp(t: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return p(t.getUTCFullYear(), 4) + p(t.getUTCMonth() + 1) + p(t.getUTCDate()) + p(t.getUTCHours()) + p(t.getUTCMinutes()) + p(t.getUTCSeconds());
}

/** "129" → "130", "99" → "100": the patch after the base tag, in decimal of any length. */
function incDecimal(decimal: string): string {
  const digits = decimal.split("");
  let i = digits.length - 1;
  for (; i >= 0 && digits[i] === "9"; i--) digits[i] = "0";
  if (i >= 0) digits[i] = String(Number(digits[i]) + 1);
  else digits.unshift("1");
  return digits.join("");
}

/** "130" → "129", "100" → "99", "0" → "" (no such patch). */
function decDecimal(decimal: string): string {
  const digits = decimal.split("");
  let i = digits.length - 1;
  for (; i >= 0 && digits[i] === "0"; i--) digits[i] = "9";
  if (i < 0) return "";
  if (i === 0 && digits[i] === "1" && digits.length > 1) digits.shift();
  else digits[i] = String(Number(digits[i]) - 1);
  return digits.join("");
}

/**
 * module.PseudoVersion(major, older, t, rev): `major` ("v0" when "") is used
 * only without a base tag; `older` is the base tag's version ("" for none;
 * its build metadata, e.g. "+incompatible", is kept); `rev` is the 12-hex
 * short commit id. The time is taken in UTC, to the second.
 */
export function pseudoVersion(major: string, older: string, t: Date, rev: string): string {
  if (major === "") major = "v0";
  const segment = `${timestamp(t)}-${rev}`;
  const build = semverBuild(older);
  older = canonical(older);
  if (older === "") return `${major}.0.0-${segment}`;
  if (prerelease(older) !== "") return `${older}.0.${segment}${build}`;
  const i = older.lastIndexOf(".") + 1;
  return `${older.slice(0, i)}${incDecimal(older.slice(i))}-0.${segment}${build}`;
}

/** module.ZeroPseudoVersion: "v0.0.0-00010101000000-000000000000" for major "v0". */
export function zeroPseudoVersion(major: string): string {
  // Go's zero time.Time is 0001-01-01T00:00:00Z.
  return `${major === "" ? "v0" : major}.0.0-00010101000000-000000000000`;
}

/** module.IsPseudoVersion. */
export function isPseudoVersion(v: string): boolean {
  return (v.match(/-/g)?.length ?? 0) >= 2 && isValid(v) && PSEUDO_RE.test(v);
}

/** module.IsZeroPseudoVersion: the placeholder version `go mod` writes for a missing one. */
export function isZeroPseudoVersion(v: string): boolean {
  return v === zeroPseudoVersion(semverMajor(v));
}

interface PseudoParts {
  base: string;
  timestamp: string;
  rev: string;
  build: string;
}

function parsePseudoVersion(v: string): PseudoParts {
  if (!isPseudoVersion(v)) throw invalidVersion(v, "syntax error", true);
  const build = semverBuild(v);
  let rest = v.slice(0, v.length - build.length);
  const j = rest.lastIndexOf("-");
  const rev = rest.slice(j + 1);
  rest = rest.slice(0, j);
  const i = rest.lastIndexOf("-");
  const dot = rest.lastIndexOf(".");
  if (dot > i) return { base: rest.slice(0, dot), timestamp: rest.slice(dot + 1), rev, build };
  return { base: rest.slice(0, i), timestamp: rest.slice(i + 1), rev, build };
}

/**
 * module.PseudoVersionTime: the commit time encoded in the version (UTC).
 * Throws `pseudo-version "v" invalid: syntax error` or `... malformed time "..."`.
 */
export function pseudoVersionTime(v: string): Date {
  const { timestamp: ts } = parsePseudoVersion(v);
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(ts)!;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  // time.Parse refuses out-of-range fields (month 13, Feb 30, hour 24, second 60).
  const t = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  t.setUTCFullYear(y);
  const ok = mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && s <= 59 && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
  if (!ok) throw invalidVersion(v, `malformed time ${goQuote(ts)}`, true);
  return t;
}

/** module.PseudoVersionRev: the revision part ("abcdefabcdef"). Throws on a non-pseudo-version. */
export function pseudoVersionRev(v: string): string {
  return parsePseudoVersion(v).rev;
}

/**
 * module.PseudoVersionBase: the tag the pseudo-version was derived from
 * ("" for form (1)), with its build suffix. Throws
 * `pseudo-version "v" invalid: <why>`.
 */
export function pseudoVersionBase(v: string): string {
  const parts = parsePseudoVersion(v);
  let base = parts.base;
  const { build } = parts;
  const pre = prerelease(base);
  if (pre === "") {
    if (build !== "") throw invalidVersion(v, `lacks base version, but has build metadata ${goQuote(build)}`, true);
    return "";
  }
  if (pre === "-0") {
    base = base.slice(0, -pre.length);
    const i = base.lastIndexOf(".");
    const patch = decDecimal(base.slice(i + 1));
    if (patch === "") throw invalidVersion(v, `version before ${base} would have negative patch number`, true);
    return base.slice(0, i + 1) + patch + build;
  }
  return base.slice(0, -".0".length) + build;
}
