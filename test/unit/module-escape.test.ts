// Expected values came from golang.org/x/mod v0.43.0 (= the copy vendored in go1.26.8) and go/version,
// printed by a throwaway Go program (not in the repo) and frozen here as tables.
import { describe, expect, it } from "vitest";
import { escapePath, escapeVersion, unescapePath, unescapeVersion } from "../../src/module/escape.js";
import { versionError } from "../../src/module/errors.js";

/** Go's error text, or "" when the call succeeds. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

// EscapePath: the escaped form, or CheckPath's error
const PATHS = [
  { path: "example.com/m", escaped: "example.com/m", escapeErr: "" },
  { path: "example.com/m/v2", escaped: "example.com/m/v2", escapeErr: "" },
  { path: "example.com/m/v1", escaped: "", escapeErr: 'malformed module path "example.com/m/v1": invalid version' },
  { path: "example.com/m/v0", escaped: "", escapeErr: 'malformed module path "example.com/m/v0": invalid version' },
  { path: "example.com/m/v02", escaped: "", escapeErr: 'malformed module path "example.com/m/v02": invalid version' },
  { path: "example.com/m/v2.1", escaped: "", escapeErr: 'malformed module path "example.com/m/v2.1": invalid version' },
  { path: "example.com/m/v2/sub", escaped: "example.com/m/v2/sub", escapeErr: "" },
  { path: "example.com/V2", escaped: "example.com/!v2", escapeErr: "" },
  { path: "Example.com/m", escaped: "", escapeErr: "malformed module path \"Example.com/m\": invalid char 'E' in first path element" },
  { path: "example.com/Azure/m", escaped: "example.com/!azure/m", escapeErr: "" },
  { path: "github.com/BurntSushi/toml", escaped: "github.com/!burnt!sushi/toml", escapeErr: "" },
  { path: "example.com", escaped: "example.com", escapeErr: "" },
  { path: "example", escaped: "", escapeErr: 'malformed module path "example": missing dot in first path element' },
  { path: "localhost/m", escaped: "", escapeErr: 'malformed module path "localhost/m": missing dot in first path element' },
  { path: "-example.com/m", escaped: "", escapeErr: 'malformed module path "-example.com/m": leading dash' },
  { path: "example.com/-m", escaped: "example.com/-m", escapeErr: "" },
  { path: "example.com/.m", escaped: "", escapeErr: 'malformed module path "example.com/.m": leading dot in path element' },
  { path: "example.com/m.", escaped: "", escapeErr: 'malformed module path "example.com/m.": trailing dot in path element' },
  { path: "example.com/..", escaped: "", escapeErr: 'malformed module path "example.com/..": invalid path element ".."' },
  { path: "example.com/.", escaped: "", escapeErr: 'malformed module path "example.com/.": invalid path element "."' },
  { path: ".example.com/m", escaped: "", escapeErr: 'malformed module path ".example.com/m": leading dot in path element' },
  { path: "example.com//m", escaped: "", escapeErr: 'malformed module path "example.com//m": double slash' },
  { path: "example.com/m/", escaped: "", escapeErr: 'malformed module path "example.com/m/": trailing slash' },
  { path: "/example.com/m", escaped: "", escapeErr: 'malformed module path "/example.com/m": empty path element' },
  { path: "example_com/m", escaped: "", escapeErr: 'malformed module path "example_com/m": missing dot in first path element' },
  { path: "exa mple.com/m", escaped: "", escapeErr: "malformed module path \"exa mple.com/m\": invalid char ' '" },
  { path: "example.com/a b", escaped: "", escapeErr: "malformed module path \"example.com/a b\": invalid char ' '" },
  { path: "example.com/a+b", escaped: "", escapeErr: "malformed module path \"example.com/a+b\": invalid char '+'" },
  { path: "example.com/a~b", escaped: "example.com/a~b", escapeErr: "" },
  { path: "example.com/a~1", escaped: "", escapeErr: 'malformed module path "example.com/a~1": trailing tilde and digits in path element' },
  { path: "example.com/GOOGLE~1", escaped: "", escapeErr: 'malformed module path "example.com/GOOGLE~1": trailing tilde and digits in path element' },
  { path: "example.com/a~b1x", escaped: "example.com/a~b1x", escapeErr: "" },
  { path: "example.com/con", escaped: "", escapeErr: 'malformed module path "example.com/con": "con" disallowed as path element component on Windows' },
  { path: "example.com/CON.txt", escaped: "", escapeErr: 'malformed module path "example.com/CON.txt": "CON" disallowed as path element component on Windows' },
  { path: "example.com/com1.x", escaped: "", escapeErr: 'malformed module path "example.com/com1.x": "com1" disallowed as path element component on Windows' },
  { path: "example.com/com10", escaped: "example.com/com10", escapeErr: "" },
  { path: "example.com/lpt9", escaped: "", escapeErr: 'malformed module path "example.com/lpt9": "lpt9" disallowed as path element component on Windows' },
  { path: "example.com/auxiliary", escaped: "example.com/auxiliary", escapeErr: "" },
  { path: "example.com/nul.", escaped: "", escapeErr: 'malformed module path "example.com/nul.": trailing dot in path element' },
  { path: "example.com/é", escaped: "", escapeErr: "malformed module path \"example.com/é\": invalid char 'é'" },
  { path: "example.com/a:b", escaped: "", escapeErr: "malformed module path \"example.com/a:b\": invalid char ':'" },
  { path: "example.com/a@b", escaped: "", escapeErr: "malformed module path \"example.com/a@b\": invalid char '@'" },
  { path: "example.com/a!b", escaped: "", escapeErr: "malformed module path \"example.com/a!b\": invalid char '!'" },
  { path: "example.com/a#b", escaped: "", escapeErr: "malformed module path \"example.com/a#b\": invalid char '#'" },
  { path: "example.com/a%b", escaped: "", escapeErr: "malformed module path \"example.com/a%b\": invalid char '%'" },
  { path: "gopkg.in/yaml.v2", escaped: "gopkg.in/yaml.v2", escapeErr: "" },
  { path: "gopkg.in/yaml.v1", escaped: "gopkg.in/yaml.v1", escapeErr: "" },
  { path: "gopkg.in/yaml.v0", escaped: "gopkg.in/yaml.v0", escapeErr: "" },
  { path: "gopkg.in/yaml.v2-unstable", escaped: "gopkg.in/yaml.v2-unstable", escapeErr: "" },
  { path: "gopkg.in/yaml", escaped: "", escapeErr: 'malformed module path "gopkg.in/yaml": invalid version' },
  { path: "gopkg.in/yaml.v02", escaped: "", escapeErr: 'malformed module path "gopkg.in/yaml.v02": invalid version' },
  { path: "gopkg.in/user/pkg.v3", escaped: "gopkg.in/user/pkg.v3", escapeErr: "" },
  { path: "example.com/m/v3/v2", escaped: "example.com/m/v3/v2", escapeErr: "" },
  { path: "example.com:8080/m", escaped: "", escapeErr: "malformed module path \"example.com:8080/m\": invalid char ':'" },
  { path: "127.0.0.1/m", escaped: "127.0.0.1/m", escapeErr: "" },
  { path: "example.com/m\u0000", escaped: "", escapeErr: "malformed module path \"example.com/m\\x00\": invalid char '\\x00'" },
  { path: "", escaped: "", escapeErr: 'malformed module path "": empty string' },
  { path: "example.com/a..b", escaped: "example.com/a..b", escapeErr: "" },
  { path: "xn--example.com/m", escaped: "xn--example.com/m", escapeErr: "" },
  { path: "a.b/c_d", escaped: "a.b/c_d", escapeErr: "" },
  { path: "example.com/tilde~", escaped: "example.com/tilde~", escapeErr: "" },
  { path: "example.com/~", escaped: "example.com/~", escapeErr: "" },
  { path: "go.example.com/tools", escaped: "go.example.com/tools", escapeErr: "" },
  { path: "example.com/m.v2", escaped: "example.com/m.v2", escapeErr: "" },
];

const VERSIONS = [
  { err: "", escaped: "v1.0.0", v: "v1.0.0" },
  { err: "", escaped: "v1.0.0-!r!c1", v: "v1.0.0-RC1" },
  { err: 'version "v1.0.0-!x" invalid: disallowed version string', escaped: "", v: "v1.0.0-!x" },
  { err: 'version "feature/x" invalid: disallowed version string', escaped: "", v: "feature/x" },
  { err: "", escaped: "master", v: "master" },
  { err: "", escaped: "!main", v: "Main" },
  { err: "", escaped: "v1.0.0+meta", v: "v1.0.0+meta" },
  { err: 'version "" invalid: disallowed version string', escaped: "", v: "" },
  { err: 'version "." invalid: disallowed version string', escaped: "", v: "." },
  { err: 'version "a." invalid: disallowed version string', escaped: "", v: "a." },
  { err: 'version "con" invalid: disallowed version string', escaped: "", v: "con" },
  { err: "internal error: inconsistency in EscapePath", escaped: "", v: "vé" },
  { err: "", escaped: "!h!e!a!d", v: "HEAD" },
  { err: "", escaped: "a b", v: "a b" },
  { err: 'version "a:b" invalid: disallowed version string', escaped: "", v: "a:b" },
  { err: "", escaped: "v2.0.0+incompatible", v: "v2.0.0+incompatible" },
  { err: "", escaped: "1234567abcdef", v: "1234567abcdef" },
];

// UnescapePath and UnescapeVersion of the same text
const UNESCAPES = [
  { escaped: "example.com/m", path: "example.com/m", pathErr: "", version: "", versionErr: "invalid escaped version \"example.com/m\": invalid char '/'" },
  {
    escaped: "github.com/!burnt!sushi/toml",
    path: "github.com/BurntSushi/toml",
    pathErr: "",
    version: "",
    versionErr: "invalid escaped version \"github.com/BurntSushi/toml\": invalid char '/'",
  },
  {
    escaped: "github.com/BurntSushi/toml",
    path: "",
    pathErr: 'invalid escaped module path "github.com/BurntSushi/toml"',
    version: "",
    versionErr: 'invalid escaped version "github.com/BurntSushi/toml"',
  },
  {
    escaped: "example.com/!",
    path: "",
    pathErr: 'invalid escaped module path "example.com/!"',
    version: "",
    versionErr: 'invalid escaped version "example.com/!"',
  },
  {
    escaped: "example.com/!!a",
    path: "",
    pathErr: 'invalid escaped module path "example.com/!!a"',
    version: "",
    versionErr: 'invalid escaped version "example.com/!!a"',
  },
  {
    escaped: "example.com/!1",
    path: "",
    pathErr: 'invalid escaped module path "example.com/!1"',
    version: "",
    versionErr: 'invalid escaped version "example.com/!1"',
  },
  {
    escaped: "v1.0.0-!r!c1",
    path: "",
    pathErr: 'invalid escaped module path "v1.0.0-!r!c1": malformed module path "v1.0.0-RC1": invalid char \'R\' in first path element',
    version: "v1.0.0-RC1",
    versionErr: "",
  },
  { escaped: "v1.0.0-RC1", path: "", pathErr: 'invalid escaped module path "v1.0.0-RC1"', version: "", versionErr: 'invalid escaped version "v1.0.0-RC1"' },
  {
    escaped: "example.com/é",
    path: "",
    pathErr: 'invalid escaped module path "example.com/é"',
    version: "",
    versionErr: 'invalid escaped version "example.com/é"',
  },
  {
    escaped: "!example.com/m",
    path: "",
    pathErr: 'invalid escaped module path "!example.com/m": malformed module path "Example.com/m": invalid char \'E\' in first path element',
    version: "",
    versionErr: "invalid escaped version \"Example.com/m\": invalid char '/'",
  },
  { escaped: "example.com/a!b", path: "example.com/aB", pathErr: "", version: "", versionErr: "invalid escaped version \"example.com/aB\": invalid char '/'" },
  { escaped: "v1.0.0!", path: "", pathErr: 'invalid escaped module path "v1.0.0!"', version: "", versionErr: 'invalid escaped version "v1.0.0!"' },
  {
    escaped: "!con",
    path: "",
    pathErr: 'invalid escaped module path "!con": malformed module path "Con": "Con" disallowed as path element component on Windows',
    version: "",
    versionErr: 'invalid escaped version "Con": "Con" disallowed as path element component on Windows',
  },
  { escaped: "v1.0.0", path: "v1.0.0", pathErr: "", version: "v1.0.0", versionErr: "" },
  {
    escaped: "example.com/m/v1",
    path: "",
    pathErr: 'invalid escaped module path "example.com/m/v1": malformed module path "example.com/m/v1": invalid version',
    version: "",
    versionErr: "invalid escaped version \"example.com/m/v1\": invalid char '/'",
  },
  {
    escaped: "a/b",
    path: "",
    pathErr: 'invalid escaped module path "a/b": malformed module path "a/b": missing dot in first path element',
    version: "",
    versionErr: "invalid escaped version \"a/b\": invalid char '/'",
  },
  {
    escaped: "v[1]",
    path: "",
    pathErr: 'invalid escaped module path "v[1]": malformed module path "v[1]": invalid char \'[\'',
    version: "v[1]",
    versionErr: "",
  },
  {
    escaped: "example.com/!`x",
    path: "",
    pathErr: 'invalid escaped module path "example.com/!`x"',
    version: "",
    versionErr: 'invalid escaped version "example.com/!`x"',
  },
  {
    escaped: "example.com/!{x",
    path: "",
    pathErr: 'invalid escaped module path "example.com/!{x"',
    version: "",
    versionErr: 'invalid escaped version "example.com/!{x"',
  },
  { escaped: "example.com/!z", path: "example.com/Z", pathErr: "", version: "", versionErr: "invalid escaped version \"example.com/Z\": invalid char '/'" },
  {
    escaped: "v1.0.0-!a!z",
    path: "",
    pathErr: 'invalid escaped module path "v1.0.0-!a!z": malformed module path "v1.0.0-AZ": invalid char \'A\' in first path element',
    version: "v1.0.0-AZ",
    versionErr: "",
  },
];

describe("!-case-encoding (docs/go-rules.md §1.2)", () => {
  it.each(PATHS)("escapes module path $path", ({ path, escaped, escapeErr }) => {
    expect(errorOf(() => escapePath(path))).toBe(escapeErr);
    if (escapeErr === "") {
      expect(escapePath(path)).toBe(escaped);
      expect(unescapePath(escaped)).toBe(path);
    }
  });

  it.each(VERSIONS)("escapes version $v", ({ v, escaped, err }) => {
    expect(errorOf(() => escapeVersion(v))).toBe(err);
    if (err === "") {
      expect(escapeVersion(v)).toBe(escaped);
      expect(unescapeVersion(escaped)).toBe(v);
    }
  });

  it.each(UNESCAPES)("unescapes $escaped", (row) => {
    expect(errorOf(() => unescapePath(row.escaped))).toBe(row.pathErr);
    if (row.pathErr === "") expect(unescapePath(row.escaped)).toBe(row.path);
    expect(errorOf(() => unescapeVersion(row.escaped))).toBe(row.versionErr);
    if (row.versionErr === "") expect(unescapeVersion(row.escaped)).toBe(row.version);
  });

  it("words a refused version as the go command shows it about a module", () => {
    let err: unknown;
    try {
      escapeVersion("feature/x");
    } catch (e) {
      err = e;
    }
    expect(versionError("example.com/m", "feature/x", err)).toBe("example.com/m@feature/x: invalid version: disallowed version string");
  });
});
