// Import path rules, checked against golang.org/x/mod/module: its checkPathTests
// table (CheckImportPath column) and the rules of CheckPath for the host.
import { describe, expect, it } from "vitest";
import { checkElement, checkImportPath, checkModuleHost, splitElements } from "../../src/core/importpath.js";

describe("checkElement", () => {
  it.each([
    "a.b",
    "x~y",
    "z~",
    "z09~09z",
    "v2",
    "+",
    "a+b",
    "x.foo",
    "prn2",
    "com",
    "calm1",
    "_x",
    "x_",
    "-x",
    "x-",
    "a..b",
    "UPPER",
    "0",
    "~",
    // x/mod allows a leading dot in import paths (not in module paths).
    ".hidden",
  ])("accepts %j", (elem) => {
    expect(checkElement(elem)).toBeUndefined();
  });

  it.each([
    ["", /empty/],
    [".", /invalid path element/],
    ["..", /invalid path element/],
    ["...", /invalid path element/],
    ["a.", /trailing dot/],
    ["%2F", /invalid character/],
    ["a%2Fb", /invalid character/],
    ["a\0b", /invalid character/],
    ["a b", /invalid character/],
    [" ", /invalid character/],
    ["a/b", /invalid character/],
    ["a\\b", /invalid character/],
    ["a:b", /invalid character/],
    ["a@b", /invalid character/],
    ["a!b", /invalid character/],
    ["a'b", /invalid character/],
    ['a"b', /invalid character/],
    ["a<b", /invalid character/],
    ["{x}", /invalid character/],
    ["испытание", /invalid character/],
    ["x☺y", /invalid character/],
    ["é", /invalid character/],
    ["con", /Windows/],
    ["CON", /Windows/],
    ["NuL", /Windows/],
    ["aux.go", /Windows/],
    ["prn", /Windows/],
    ["com1", /Windows/],
    ["com1.txt", /Windows/],
    ["LPT9", /Windows/],
    ["foo~1", /tilde and digits/],
    ["z~0", /tilde and digits/],
    ["z~09", /tilde and digits/],
    ["z09~09z~09", /tilde and digits/],
    ["progra~1.txt", /tilde and digits/],
  ])("rejects %j", (elem, why) => {
    expect(checkElement(elem)).toMatch(why);
  });
});

describe("checkImportPath", () => {
  it.each(["a.b/c", "x.y", "x.y/z", "x..y/z", "x.y/z/v2", "x.y/z/v0", "x.y/z+", "X.y/z", "x.y/z~", "x.y/.gitignore", "go.example.com/a/b/c/d"])(
    "accepts %j",
    (path) => {
      expect(checkImportPath(path)).toBeUndefined();
    },
  );

  it.each([
    ["", /empty/],
    ["/x.y/z", /leading slash/],
    ["x.y/z/", /trailing slash/],
    ["x.y//z", /double slash/],
    ["x.y/z//w", /double slash/],
    ["x./z", /trailing dot/],
    ["x.y/z/../../w", /invalid path element/],
    ["../x", /invalid path element/],
    ["./y", /invalid path element/],
    ["x.y/aux.foo", /Windows/],
    ["x.y/com1", /Windows/],
    ["x.y/z~0", /tilde and digits/],
    ["x:y", /invalid character/],
    ["rsc io/quote", /invalid character/],
    ["github.com/user/unicode/испытание", /invalid character/],
    ["github.com/!123/logrus", /invalid character/],
    ["x.y/%2e%2e", /invalid character/],
  ])("rejects %j", (path, why) => {
    expect(checkImportPath(path)).toMatch(why);
  });

  // x/mod: checkPath returns "leading dash" for any path starting with "-"
  // (checkPathTests: {"-x/z", false, false, ...}).
  it("rejects a leading dash like x/mod does", () => {
    expect(checkImportPath("-x/z")).toBeDefined();
  });
});

describe("checkModuleHost", () => {
  it.each(["go.example.com", "a.b", "x..y", "x-y.example", "1.2.3.4", "xn--bcher-kva.example"])("accepts %j", (host) => {
    expect(checkModuleHost(host)).toBeUndefined();
  });

  it.each([
    ["", /empty/],
    ["Go.example.com", /lower-case/],
    ["X.y", /lower-case/],
    ["localhost", /no dot/],
    ["example", /no dot/],
    ["-x.y", /dash/],
    [".x.y", /dot/],
    ["x.y.", /dot/],
    ["x_y.example", /lower-case/],
    ["x~y.example", /lower-case/],
    ["x+y.example", /lower-case/],
    ["go.example.com:8080", /lower-case/],
    ["bücher.example", /lower-case/],
  ])("rejects %j", (host, why) => {
    expect(checkModuleHost(host)).toMatch(why);
  });

  // x/mod CheckPath runs checkElem on the first element too, so a host whose
  // part before the first dot is a Windows reserved name is not a module path.
  it("rejects a Windows reserved name as the host's first label", () => {
    expect(checkModuleHost("con.example.com")).toBeDefined();
  });
});

describe("splitElements", () => {
  it("splits a valid path into its elements", () => {
    expect(splitElements("tools/cmd/v2")).toEqual(["tools", "cmd", "v2"]);
  });

  it("returns [] for the empty path", () => {
    expect(splitElements("")).toEqual([]);
  });

  it.each(["a//b", "a/", "/a", "a/../b", "a/./b", "a%2Fb", "a/b c", "a/con", "a/foo~1", "a/é"])("rejects %j", (path) => {
    expect(splitElements(path)).toBeUndefined();
  });
});
