// Go toolchain versions as x/mod/zip compares them for its vendor rule
// (go/version.Lang and Compare over internal/gover; docs/go-rules.md §4.3): "go1.24",
// "go1.24.0", "go1.24rc1", "go1.21" (= go1.21 language, before go1.21.0).
// Unlike semver there is no "v" and "1.20" means "1.20.0", but "1.21" is the
// language version that sorts before "1.21rc1" and "1.21.0". An empty or
// invalid version compares lower than every valid one (the old behaviour),
// and two invalid versions are equal.

interface GoVersion {
  major: string;
  minor: string;
  patch: string;
  /** "", "alpha", "beta", "rc" (any lowercase word), compared as strings: "" < alpha < beta < rc. */
  kind: string;
  pre: string;
}

const INVALID: GoVersion = { major: "", minor: "", patch: "", kind: "", pre: "" };

function cutInt(x: string): [string, string] | undefined {
  const m = /^[0-9]+/.exec(x);
  if (!m || (x[0] === "0" && m[0].length !== 1)) return undefined;
  return [m[0], x.slice(m[0].length)];
}

/** gover.Parse: a version without the "go" prefix; INVALID when malformed. */
function parse(x: string): GoVersion {
  const v: GoVersion = { ...INVALID };
  let cut = cutInt(x);
  if (!cut) return INVALID;
  [v.major, x] = cut;
  if (x === "") return { ...v, minor: "0", patch: "0" };
  if (x[0] !== ".") return INVALID;
  cut = cutInt(x.slice(1));
  if (!cut) return INVALID;
  [v.minor, x] = cut;
  if (x === "") {
    // Before Go 1.21, "1.20" was the first release; since then "1.21" is the language, not a release.
    if (cmpInt(v.minor, "21") < 0) v.patch = "0";
    return v;
  }
  if (x[0] === ".") {
    cut = cutInt(x.slice(1));
    if (!cut || cut[1] !== "") return INVALID;
    v.patch = cut[0];
    return v;
  }
  // A prerelease kind is a run of lowercase letters up to the next digit: "rc", "beta".
  const kind = /^[^0-9]*/.exec(x)!;
  if (!/^[a-z]+$/.test(kind[0])) return INVALID;
  v.kind = kind[0];
  x = x.slice(kind[0].length);
  if (x === "") return v;
  cut = cutInt(x);
  if (!cut || cut[1] !== "") return INVALID;
  v.pre = cut[0];
  return v;
}

function cmpInt(x: string, y: string): number {
  if (x === y) return 0;
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : 1;
}

function cmpString(x: string, y: string): number {
  return x === y ? 0 : x < y ? -1 : 1;
}

/** go/version's stripGo: "go1.21rc2-custom" → "1.21rc2"; "" when the "go" prefix is missing. */
function stripGo(v: string): string {
  const dash = v.indexOf("-");
  if (dash >= 0) v = v.slice(0, dash);
  return v.startsWith("go") ? v.slice(2) : "";
}

/** gover.Compare on bare versions ("1.24.0"). */
export function compareGoVersions(x: string, y: string): number {
  const vx = parse(x);
  const vy = parse(y);
  return cmpInt(vx.major, vy.major) || cmpInt(vx.minor, vy.minor) || cmpInt(vx.patch, vy.patch) || cmpString(vx.kind, vy.kind) || cmpInt(vx.pre, vy.pre);
}

/** go/version.Compare: "go1.24" vs "go1.24.0" etc.; invalid/"" sorts first. */
export function goVersionCompare(x: string, y: string): number {
  return compareGoVersions(stripGo(x), stripGo(y));
}

/** go/version.Lang: "go1.24.3" → "go1.24", "go1.21rc2" → "go1.21", "go1.0" → "go1"; "" if invalid. */
export function goVersionLang(x: string): string {
  const v = parse(stripGo(x));
  const lang = v.minor === "" || (v.major === "1" && v.minor === "0") ? v.major : `${v.major}.${v.minor}`;
  if (lang === "") return "";
  return x.slice(2).startsWith(lang) ? x.slice(0, 2 + lang.length) : "go" + lang;
}

/** go/version.IsValid. */
export function goVersionIsValid(x: string): boolean {
  return parse(stripGo(x)).major !== "";
}
