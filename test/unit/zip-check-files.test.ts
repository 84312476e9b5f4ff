import { describe, expect, it } from "vitest";
import { checkedFilesError, checkFiles, goVersionAtLeast124, isVendoredPackage } from "../../src/proxy/zip/check-files.js";
import { checkFilePath } from "../../src/proxy/zip/file-path.js";
import { strToFold } from "../../src/proxy/zip/fold.js";
import { CHECK_FILES_CASES } from "./zip-check-files.table.js";

describe("checkFiles equals x/mod/zip.CheckFiles (frozen answers, see zip-check-files.table.ts)", () => {
  it.each(CHECK_FILES_CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const got = checkFiles(c.files, { goVersion: c.goVersion ?? undefined });
    expect({
      valid: got.valid.map((f) => f.path),
      omitted: got.omitted,
      invalid: got.invalid,
      ...(got.sizeError !== undefined ? { sizeError: got.sizeError } : {}),
      ...(checkedFilesError(got) !== undefined ? { err: checkedFilesError(got) } : {}),
    }).toEqual(c.expected);
  });

  it("keeps the input objects, so the zip writer gets the files themselves", () => {
    const file = { path: "a.go", kind: "file" as const, size: 1, extra: "x" };
    expect(checkFiles([file]).valid[0]).toBe(file);
  });

  it("drops submodules before any rule: git archive writes them as directories, which the go command skips", () => {
    const got = checkFiles([
      { path: "Foo", kind: "submodule", size: 0 },
      { path: "foo/x.go", kind: "file", size: 1 },
      { path: "con", kind: "submodule", size: 0 },
    ]);
    expect(got.valid.map((f) => f.path)).toEqual(["foo/x.go"]);
    expect(got.invalid).toEqual([]);
    expect(got.omitted.map((o) => o.path)).toEqual(["Foo", "con"]);
  });
});

describe("pieces", () => {
  it('go version ≥ 1.24 as version.Compare(version.Lang(v), "go1.24")', () => {
    expect(["1.24", "1.24.0", "1.24rc1", "1.25", "2.0", "1.100"].map(goVersionAtLeast124)).toEqual([true, true, true, true, true, true]);
    expect(["1.23", "1.23.99", "1.2", "", "x", "1.24.x", "01.24"].map(goVersionAtLeast124)).toEqual([false, false, false, false, false, false, false]);
    expect(goVersionAtLeast124(undefined)).toBe(false);
  });
  it("the go < 1.24 nested vendor bug (golang/go#37397)", () => {
    expect(isVendoredPackage("pkg/vendor/vendor.go", false)).toBe(true);
    expect(isVendoredPackage("pkg/vendor/vendor.go", true)).toBe(false);
    expect(isVendoredPackage("vendor/modules.txt", false)).toBe(false);
    expect(isVendoredPackage("vendor/modules.txt", true)).toBe(true);
  });
  it("CheckFilePath messages", () => {
    expect(checkFilePath("a/b.go")).toBeUndefined();
    expect(checkFilePath("con.txt")).toBe('malformed file path "con.txt": "con" disallowed as path element component on Windows');
    expect(checkFilePath("a\uD800")).toMatch(/^malformed file path .*: invalid UTF-8$/);
    expect(checkFilePath("a\x7fb")).toBe(`malformed file path "a\\x7fb": invalid char '\\x7f'`);
  });
  it("folds as unicode.SimpleFold orbits", () => {
    expect(strToFold("ABC/def")).toBe("abc/def");
    expect(strToFold("\u212A")).toBe("k");
    expect(strToFold("Σ")).toBe(strToFold("ς"));
    expect(strToFold("ẞ")).toBe(strToFold("ß"));
    expect(strToFold("İ")).toBe("İ");
  });
});
