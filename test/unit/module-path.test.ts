// Expected values came from golang.org/x/mod v0.43.0 (= the copy vendored in go1.26.8) and go/version,
// printed by a throwaway Go program (not in the repo) and frozen here as tables.
import { describe, expect, it } from "vitest";
import {
  check,
  checkFilePath,
  checkImportPath,
  checkPath,
  checkPathMajor,
  isMajor,
  isValidFilePath,
  isValidPath,
  matchPathMajor,
  pathMajorPrefix,
  splitPathVersion,
} from "../../src/module/path.js";

/** Go's error text, or "" when the call succeeds. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

// CheckPath / CheckImportPath / CheckFilePath errors ("" = valid) and SplitPathVersion [prefix, pathMajor, ok]
const PATHS = [
  { path: "example.com/m", module: "", import: "", file: "", split: ["example.com/m", "", true] },
  { path: "example.com/m/v2", module: "", import: "", file: "", split: ["example.com/m", "/v2", true] },
  {
    path: "example.com/m/v1",
    module: 'malformed module path "example.com/m/v1": invalid version',
    import: "",
    file: "",
    split: ["example.com/m/v1", "", false],
  },
  {
    path: "example.com/m/v0",
    module: 'malformed module path "example.com/m/v0": invalid version',
    import: "",
    file: "",
    split: ["example.com/m/v0", "", false],
  },
  {
    path: "example.com/m/v02",
    module: 'malformed module path "example.com/m/v02": invalid version',
    import: "",
    file: "",
    split: ["example.com/m/v02", "", false],
  },
  {
    path: "example.com/m/v2.1",
    module: 'malformed module path "example.com/m/v2.1": invalid version',
    import: "",
    file: "",
    split: ["example.com/m/v2.1", "", false],
  },
  { path: "example.com/m/v2/sub", module: "", import: "", file: "", split: ["example.com/m/v2/sub", "", true] },
  { path: "example.com/V2", module: "", import: "", file: "", split: ["example.com/V2", "", true] },
  {
    path: "Example.com/m",
    module: "malformed module path \"Example.com/m\": invalid char 'E' in first path element",
    import: "",
    file: "",
    split: ["Example.com/m", "", true],
  },
  { path: "example.com/Azure/m", module: "", import: "", file: "", split: ["example.com/Azure/m", "", true] },
  { path: "github.com/BurntSushi/toml", module: "", import: "", file: "", split: ["github.com/BurntSushi/toml", "", true] },
  { path: "example.com", module: "", import: "", file: "", split: ["example.com", "", true] },
  { path: "example", module: 'malformed module path "example": missing dot in first path element', import: "", file: "", split: ["example", "", true] },
  {
    path: "localhost/m",
    module: 'malformed module path "localhost/m": missing dot in first path element',
    import: "",
    file: "",
    split: ["localhost/m", "", true],
  },
  {
    path: "-example.com/m",
    module: 'malformed module path "-example.com/m": leading dash',
    import: 'malformed import path "-example.com/m": leading dash',
    file: "",
    split: ["-example.com/m", "", true],
  },
  { path: "example.com/-m", module: "", import: "", file: "", split: ["example.com/-m", "", true] },
  {
    path: "example.com/.m",
    module: 'malformed module path "example.com/.m": leading dot in path element',
    import: "",
    file: "",
    split: ["example.com/.m", "", true],
  },
  {
    path: "example.com/m.",
    module: 'malformed module path "example.com/m.": trailing dot in path element',
    import: 'malformed import path "example.com/m.": trailing dot in path element',
    file: 'malformed file path "example.com/m.": trailing dot in path element',
    split: ["example.com/m.", "", true],
  },
  {
    path: "example.com/..",
    module: 'malformed module path "example.com/..": invalid path element ".."',
    import: 'malformed import path "example.com/..": invalid path element ".."',
    file: 'malformed file path "example.com/..": invalid path element ".."',
    split: ["example.com/..", "", true],
  },
  {
    path: "example.com/.",
    module: 'malformed module path "example.com/.": invalid path element "."',
    import: 'malformed import path "example.com/.": invalid path element "."',
    file: 'malformed file path "example.com/.": invalid path element "."',
    split: ["example.com/.", "", true],
  },
  {
    path: ".example.com/m",
    module: 'malformed module path ".example.com/m": leading dot in path element',
    import: "",
    file: "",
    split: [".example.com/m", "", true],
  },
  {
    path: "example.com//m",
    module: 'malformed module path "example.com//m": double slash',
    import: 'malformed import path "example.com//m": double slash',
    file: 'malformed file path "example.com//m": double slash',
    split: ["example.com//m", "", true],
  },
  {
    path: "example.com/m/",
    module: 'malformed module path "example.com/m/": trailing slash',
    import: 'malformed import path "example.com/m/": trailing slash',
    file: 'malformed file path "example.com/m/": trailing slash',
    split: ["example.com/m/", "", true],
  },
  {
    path: "/example.com/m",
    module: 'malformed module path "/example.com/m": empty path element',
    import: 'malformed import path "/example.com/m": empty path element',
    file: 'malformed file path "/example.com/m": empty path element',
    split: ["/example.com/m", "", true],
  },
  {
    path: "example_com/m",
    module: 'malformed module path "example_com/m": missing dot in first path element',
    import: "",
    file: "",
    split: ["example_com/m", "", true],
  },
  {
    path: "exa mple.com/m",
    module: "malformed module path \"exa mple.com/m\": invalid char ' '",
    import: "malformed import path \"exa mple.com/m\": invalid char ' '",
    file: "",
    split: ["exa mple.com/m", "", true],
  },
  {
    path: "example.com/a b",
    module: "malformed module path \"example.com/a b\": invalid char ' '",
    import: "malformed import path \"example.com/a b\": invalid char ' '",
    file: "",
    split: ["example.com/a b", "", true],
  },
  {
    path: "example.com/a+b",
    module: "malformed module path \"example.com/a+b\": invalid char '+'",
    import: "",
    file: "",
    split: ["example.com/a+b", "", true],
  },
  { path: "example.com/a~b", module: "", import: "", file: "", split: ["example.com/a~b", "", true] },
  {
    path: "example.com/a~1",
    module: 'malformed module path "example.com/a~1": trailing tilde and digits in path element',
    import: 'malformed import path "example.com/a~1": trailing tilde and digits in path element',
    file: "",
    split: ["example.com/a~1", "", true],
  },
  {
    path: "example.com/GOOGLE~1",
    module: 'malformed module path "example.com/GOOGLE~1": trailing tilde and digits in path element',
    import: 'malformed import path "example.com/GOOGLE~1": trailing tilde and digits in path element',
    file: "",
    split: ["example.com/GOOGLE~1", "", true],
  },
  { path: "example.com/a~b1x", module: "", import: "", file: "", split: ["example.com/a~b1x", "", true] },
  {
    path: "example.com/con",
    module: 'malformed module path "example.com/con": "con" disallowed as path element component on Windows',
    import: 'malformed import path "example.com/con": "con" disallowed as path element component on Windows',
    file: 'malformed file path "example.com/con": "con" disallowed as path element component on Windows',
    split: ["example.com/con", "", true],
  },
  {
    path: "example.com/CON.txt",
    module: 'malformed module path "example.com/CON.txt": "CON" disallowed as path element component on Windows',
    import: 'malformed import path "example.com/CON.txt": "CON" disallowed as path element component on Windows',
    file: 'malformed file path "example.com/CON.txt": "CON" disallowed as path element component on Windows',
    split: ["example.com/CON.txt", "", true],
  },
  {
    path: "example.com/com1.x",
    module: 'malformed module path "example.com/com1.x": "com1" disallowed as path element component on Windows',
    import: 'malformed import path "example.com/com1.x": "com1" disallowed as path element component on Windows',
    file: 'malformed file path "example.com/com1.x": "com1" disallowed as path element component on Windows',
    split: ["example.com/com1.x", "", true],
  },
  { path: "example.com/com10", module: "", import: "", file: "", split: ["example.com/com10", "", true] },
  {
    path: "example.com/lpt9",
    module: 'malformed module path "example.com/lpt9": "lpt9" disallowed as path element component on Windows',
    import: 'malformed import path "example.com/lpt9": "lpt9" disallowed as path element component on Windows',
    file: 'malformed file path "example.com/lpt9": "lpt9" disallowed as path element component on Windows',
    split: ["example.com/lpt9", "", true],
  },
  { path: "example.com/auxiliary", module: "", import: "", file: "", split: ["example.com/auxiliary", "", true] },
  {
    path: "example.com/nul.",
    module: 'malformed module path "example.com/nul.": trailing dot in path element',
    import: 'malformed import path "example.com/nul.": trailing dot in path element',
    file: 'malformed file path "example.com/nul.": trailing dot in path element',
    split: ["example.com/nul.", "", true],
  },
  {
    path: "example.com/é",
    module: "malformed module path \"example.com/é\": invalid char 'é'",
    import: "malformed import path \"example.com/é\": invalid char 'é'",
    file: "",
    split: ["example.com/é", "", true],
  },
  {
    path: "example.com/a:b",
    module: "malformed module path \"example.com/a:b\": invalid char ':'",
    import: "malformed import path \"example.com/a:b\": invalid char ':'",
    file: "malformed file path \"example.com/a:b\": invalid char ':'",
    split: ["example.com/a:b", "", true],
  },
  {
    path: "example.com/a@b",
    module: "malformed module path \"example.com/a@b\": invalid char '@'",
    import: "malformed import path \"example.com/a@b\": invalid char '@'",
    file: "",
    split: ["example.com/a@b", "", true],
  },
  {
    path: "example.com/a!b",
    module: "malformed module path \"example.com/a!b\": invalid char '!'",
    import: "malformed import path \"example.com/a!b\": invalid char '!'",
    file: "",
    split: ["example.com/a!b", "", true],
  },
  {
    path: "example.com/a#b",
    module: "malformed module path \"example.com/a#b\": invalid char '#'",
    import: "malformed import path \"example.com/a#b\": invalid char '#'",
    file: "",
    split: ["example.com/a#b", "", true],
  },
  {
    path: "example.com/a%b",
    module: "malformed module path \"example.com/a%b\": invalid char '%'",
    import: "malformed import path \"example.com/a%b\": invalid char '%'",
    file: "",
    split: ["example.com/a%b", "", true],
  },
  { path: "gopkg.in/yaml.v2", module: "", import: "", file: "", split: ["gopkg.in/yaml", ".v2", true] },
  { path: "gopkg.in/yaml.v1", module: "", import: "", file: "", split: ["gopkg.in/yaml", ".v1", true] },
  { path: "gopkg.in/yaml.v0", module: "", import: "", file: "", split: ["gopkg.in/yaml", ".v0", true] },
  { path: "gopkg.in/yaml.v2-unstable", module: "", import: "", file: "", split: ["gopkg.in/yaml", ".v2-unstable", true] },
  { path: "gopkg.in/yaml", module: 'malformed module path "gopkg.in/yaml": invalid version', import: "", file: "", split: ["gopkg.in/yaml", "", false] },
  {
    path: "gopkg.in/yaml.v02",
    module: 'malformed module path "gopkg.in/yaml.v02": invalid version',
    import: "",
    file: "",
    split: ["gopkg.in/yaml.v02", "", false],
  },
  { path: "gopkg.in/user/pkg.v3", module: "", import: "", file: "", split: ["gopkg.in/user/pkg", ".v3", true] },
  { path: "example.com/m/v3/v2", module: "", import: "", file: "", split: ["example.com/m/v3", "/v2", true] },
  {
    path: "example.com:8080/m",
    module: "malformed module path \"example.com:8080/m\": invalid char ':'",
    import: "malformed import path \"example.com:8080/m\": invalid char ':'",
    file: "malformed file path \"example.com:8080/m\": invalid char ':'",
    split: ["example.com:8080/m", "", true],
  },
  { path: "127.0.0.1/m", module: "", import: "", file: "", split: ["127.0.0.1/m", "", true] },
  {
    path: "example.com/m\u0000",
    module: "malformed module path \"example.com/m\\x00\": invalid char '\\x00'",
    import: "malformed import path \"example.com/m\\x00\": invalid char '\\x00'",
    file: "malformed file path \"example.com/m\\x00\": invalid char '\\x00'",
    split: ["example.com/m\u0000", "", true],
  },
  {
    path: "",
    module: 'malformed module path "": empty string',
    import: 'malformed import path "": empty string',
    file: 'malformed file path "": empty string',
    split: ["", "", true],
  },
  { path: "example.com/a..b", module: "", import: "", file: "", split: ["example.com/a..b", "", true] },
  { path: "xn--example.com/m", module: "", import: "", file: "", split: ["xn--example.com/m", "", true] },
  { path: "a.b/c_d", module: "", import: "", file: "", split: ["a.b/c_d", "", true] },
  { path: "example.com/tilde~", module: "", import: "", file: "", split: ["example.com/tilde~", "", true] },
  { path: "example.com/~", module: "", import: "", file: "", split: ["example.com/~", "", true] },
  { path: "go.example.com/tools", module: "", import: "", file: "", split: ["go.example.com/tools", "", true] },
  { path: "example.com/m.v2", module: "", import: "", file: "", split: ["example.com/m.v2", "", true] },
];

// CheckFilePath: the zip entry grammar (docs/go-rules.md §4.4)
const FILES = [
  { file: "", path: "go.mod" },
  { file: "", path: "a/b/c.go" },
  { file: "", path: "-leading.go" },
  { file: "", path: ".hidden" },
  { file: "", path: "a/.git/config" },
  { file: 'malformed file path "dir/.": invalid path element "."', path: "dir/." },
  { file: 'malformed file path "dir/..": invalid path element ".."', path: "dir/.." },
  { file: 'malformed file path "..": invalid path element ".."', path: ".." },
  { file: 'malformed file path "./x": invalid path element "."', path: "./x" },
  { file: 'malformed file path "a//b": double slash', path: "a//b" },
  { file: 'malformed file path "a/": trailing slash', path: "a/" },
  { file: 'malformed file path "/abs": empty path element', path: "/abs" },
  { file: 'malformed file path "trailing.": trailing dot in path element', path: "trailing." },
  { file: "", path: "sp ace.go" },
  { file: 'malformed file path "a\\"b": invalid char \'"\'', path: 'a"b' },
  { file: "malformed file path \"a'b\": invalid char '\\''", path: "a'b" },
  { file: "malformed file path \"a*b\": invalid char '*'", path: "a*b" },
  { file: "malformed file path \"a:b\": invalid char ':'", path: "a:b" },
  { file: "malformed file path \"a<b\": invalid char '<'", path: "a<b" },
  { file: "malformed file path \"a>b\": invalid char '>'", path: "a>b" },
  { file: "malformed file path \"a?b\": invalid char '?'", path: "a?b" },
  { file: "malformed file path \"a\\\\b\": invalid char '\\\\'", path: "a\\b" },
  { file: "malformed file path \"a`b\": invalid char '`'", path: "a`b" },
  { file: "malformed file path \"a|b\": invalid char '|'", path: "a|b" },
  { file: "malformed file path \"a\\tb\": invalid char '\\t'", path: "a\tb" },
  { file: "malformed file path \"a\\x7fb\": invalid char '\\x7f'", path: "ab" },
  { file: "", path: "ok!#$%&()+,-.=@[]^_{}~.txt" },
  { file: "", path: "café.go" },
  { file: "malformed file path \"café.go\": invalid char '́'", path: "café.go" },
  { file: "", path: "日本.go" },
  { file: "malformed file path \"emoji😀.go\": invalid char '😀'", path: "emoji😀.go" },
  { file: "malformed file path \"\\u00a0nbsp\": invalid char '\\u00a0'", path: " nbsp" },
  { file: 'malformed file path "aux.go": "aux" disallowed as path element component on Windows', path: "aux.go" },
  { file: 'malformed file path "AUX": "AUX" disallowed as path element component on Windows', path: "AUX" },
  { file: 'malformed file path "Aux.c/x": "Aux" disallowed as path element component on Windows', path: "Aux.c/x" },
  { file: 'malformed file path "con.txt/x": "con" disallowed as path element component on Windows', path: "con.txt/x" },
  { file: 'malformed file path "x/nul": "nul" disallowed as path element component on Windows', path: "x/nul" },
  { file: 'malformed file path "com1": "com1" disallowed as path element component on Windows', path: "com1" },
  { file: 'malformed file path "COM9.log": "COM9" disallowed as path element component on Windows', path: "COM9.log" },
  { file: 'malformed file path "lpt1.txt": "lpt1" disallowed as path element component on Windows', path: "lpt1.txt" },
  { file: "", path: "com0" },
  { file: "", path: "lpt10" },
  { file: "", path: "conx" },
  { file: 'malformed file path "prn.": trailing dot in path element', path: "prn." },
  { file: "", path: "GOOGLE~1/x" },
  { file: "", path: "a~1.go" },
  { file: "", path: "vendor/modules.txt" },
  { file: "", path: "Ω.go" },
  { file: "", path: "Ω.go" },
  { file: "malformed file path \"x\\u200by\": invalid char '\\u200b'", path: "x​y" },
  { file: "malformed file path \"a\\x00b\": invalid char '\\x00'", path: "a\u0000b" },
  { file: "", path: "dir/sub dir/file name.txt" },
  { file: "malformed file path \"½.txt\": invalid char '½'", path: "½.txt" },
  { file: "", path: "ª.txt" },
  { file: "malformed file path \"٠.txt\": invalid char '٠'", path: "٠.txt" },
  { file: 'malformed file path "a/b/../c": invalid path element ".."', path: "a/b/../c" },
  { file: "", path: "LICENSE" },
  { file: "", path: "GO.MOD" },
  { file: "", path: "x/go.mod" },
  { file: "", path: "あい.go" },
  { file: "", path: "İ.go" },
  { file: "", path: "K.go" },
  { file: "malformed file path \"a\\u00adb\": invalid char '\\u00ad'", path: "a­b" },
];

const MAJORS = [
  { err: "", match: true, pathMajor: "", v: "v1.0.0" },
  { err: "", match: true, pathMajor: "", v: "v0.1.0" },
  { err: 'version "v2.0.0" invalid: should be v0 or v1, not v2', match: false, pathMajor: "", v: "v2.0.0" },
  { err: "", match: true, pathMajor: "", v: "v2.0.0+incompatible" },
  { err: "", match: true, pathMajor: "/v2", v: "v2.0.0" },
  { err: 'version "v3.0.0" invalid: should be v2, not v3', match: false, pathMajor: "/v2", v: "v3.0.0" },
  { err: 'version "v1.0.0" invalid: should be v2, not v1', match: false, pathMajor: "/v2", v: "v1.0.0" },
  { err: "", match: true, pathMajor: ".v1", v: "v0.0.0-20200101000000-abcdefabcdef" },
  { err: "", match: true, pathMajor: ".v1", v: "v1.5.0" },
  { err: 'version "v2.0.0" invalid: should be v1, not v2', match: false, pathMajor: ".v1", v: "v2.0.0" },
  { err: "", match: true, pathMajor: ".v2-unstable", v: "v2.0.0" },
  { err: 'version "bad" invalid: should be v0 or v1, not ', match: false, pathMajor: "", v: "bad" },
  { err: 'version "bad" invalid: should be v2, not ', match: false, pathMajor: "/v2", v: "bad" },
  { err: "", match: true, pathMajor: "/v2", v: "v2.0.0+incompatible" },
  { err: 'version "v0.0.0-2020" invalid: should be v2, not v0', match: false, pathMajor: "/v2", v: "v0.0.0-2020" },
];

// PathMajorPrefix; Go panics where `panic` is set
const PREFIXES = [
  { pathMajor: "", prefix: "" },
  { pathMajor: "/v2", prefix: "v2" },
  { pathMajor: ".v1", prefix: "v1" },
  { pathMajor: ".v2-unstable", prefix: "v2" },
  { panic: "pathMajor suffix v2 passed to PathMajorPrefix lacks separator", pathMajor: "v2" },
  { panic: "pathMajor suffix /v02passed to PathMajorPrefix is not a valid major version", pathMajor: "/v02" },
  { panic: "pathMajor suffix /vxpassed to PathMajorPrefix is not a valid major version", pathMajor: "/vx" },
];

// module.Check
const CHECKS = [
  { err: "", path: "example.com/m", version: "v1.0.0" },
  { err: "example.com/m@v2.0.0: invalid version: should be v0 or v1, not v2", path: "example.com/m", version: "v2.0.0" },
  { err: "", path: "example.com/m", version: "v2.0.0+incompatible" },
  { err: "", path: "example.com/m/v2", version: "v2.0.0" },
  { err: "example.com/m/v2@v1.0.0: invalid version: should be v2, not v1", path: "example.com/m/v2", version: "v1.0.0" },
  { err: "example.com/m@bad: invalid version: not a semantic version", path: "example.com/m", version: "bad" },
  { err: 'malformed module path "example": missing dot in first path element', path: "example", version: "v1.0.0" },
  { err: "", path: "gopkg.in/yaml.v2", version: "v2.4.0" },
  { err: "", path: "example.com/m", version: "v1.2" },
];

describe("module paths", () => {
  it.each(PATHS)("checks $path", (row) => {
    expect(errorOf(() => checkPath(row.path))).toBe(row.module);
    expect(errorOf(() => checkImportPath(row.path))).toBe(row.import);
    expect(errorOf(() => checkFilePath(row.path))).toBe(row.file);
    expect(isValidPath(row.path)).toBe(row.module === "");
    const split = splitPathVersion(row.path);
    expect([split.prefix, split.pathMajor, split.ok]).toEqual(row.split);
  });

  it.each(FILES)("checks file path $path", ({ path, file }) => {
    expect(errorOf(() => checkFilePath(path))).toBe(file);
    expect(isValidFilePath(path)).toBe(file === "");
  });

  it.each(MAJORS)('checks $v against path major "$pathMajor"', ({ v, pathMajor, err, match }) => {
    expect(errorOf(() => checkPathMajor(v, pathMajor))).toBe(err);
    expect(matchPathMajor(v, pathMajor)).toBe(match);
  });

  it.each(PREFIXES)('takes the major prefix of "$pathMajor"', (row) => {
    if ("panic" in row && row.panic) expect(errorOf(() => pathMajorPrefix(row.pathMajor))).toBe(row.panic);
    else expect(pathMajorPrefix(row.pathMajor)).toBe(row.prefix);
  });

  it.each(CHECKS)("checks $path@$version", ({ path, version, err }) => {
    expect(errorOf(() => check(path, version))).toBe(err);
  });
});

// cmd/go/internal/modfetch isMajor (unexported, so not printed by the Go program): read from its source.
describe("isMajor: does a go.mod module path suit the requested major?", () => {
  it.each([
    ["", "", false], // no module line
    ["example.com/m", "", true],
    ["example.com/m/v2", "", false],
    ["example.com/m/v1", "", false], // invalid suffix
    ["gopkg.in/yaml.v1", "", true],
    ["gopkg.in/yaml.v2", "", false],
    ["example.com/m/v2", "/v2", true],
    ["example.com/other/v2", "/v2", true], // only the kind of suffix is compared
    ["example.com/m/v3", "/v2", false],
    ["example.com/m", "/v2", false],
    ["gopkg.in/yaml.v2", "/v2", true],
    ["gopkg.in/yaml.v2-unstable", ".v2-unstable", true],
  ])("isMajor(%j, %j) = %j", (mpath, pathMajor, want) => {
    expect(isMajor(mpath, pathMajor)).toBe(want);
  });
});
