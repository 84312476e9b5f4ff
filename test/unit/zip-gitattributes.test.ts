// Tables for .gitattributes evaluation and working-tree conversion. Every answer here was
// checked against git 2.39.5 (`git check-attr`, `git -c core.autocrlf=input -c core.eol=lf
// archive`); test/e2e/zip-gitattributes.e2e.test.ts runs the wide comparison against live git.
import { describe, expect, it } from "vitest";
import { GitAttributes, type PathAttributes } from "../../src/proxy/zip/gitattributes.js";
import { crlfAction, mayConvert, toWorkingTree } from "../../src/proxy/zip/convert.js";
import { wildmatch } from "../../src/proxy/zip/wildmatch.js";
import { blobId } from "../../src/proxy/zip/blob-id.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => Array.from(b, (c) => String.fromCharCode(c)).join("");
const NONE: PathAttributes = {
  text: undefined,
  eol: undefined,
  crlf: undefined,
  ident: undefined,
  "working-tree-encoding": undefined,
  filter: undefined,
  "export-ignore": undefined,
  "export-subst": undefined,
};
const with_ = (a: Partial<PathAttributes>): PathAttributes => ({ ...NONE, ...a });

describe("GitAttributes", () => {
  const attrs = new GitAttributes([
    {
      dir: "",
      content: [
        "[attr]crlftext text eol=crlf",
        "*.c eol=crlf",
        "*.c eol=lf",
        "*.bin binary",
        "*.both text binary",
        "docs/ eol=crlf",
        "/top.txt eol=crlf",
        "a/**/z.txt ident",
        "**/any.md eol=crlf",
        "*.m crlftext",
        "!neg.txt eol=crlf",
        "bad.txt eol=crlf in%valid",
        "*.u eol=crlf !eol",
        '"sp ace.txt" eol=crlf',
      ].join("\n"),
    },
    { dir: "nested", content: "*.c -text\r\n[attr]x eol=crlf\r\n*.n x\r\n" },
    { dir: "linked", content: "*.c -text\n", isSymlink: true },
  ]);
  it.each<[string, Partial<PathAttributes>]>([
    ["x.c", { eol: "lf" }], // later line wins
    ["nested/x.c", { eol: "lf", text: false }], // deeper file adds
    ["linked/x.c", { eol: "lf" }], // symlinked .gitattributes ignored
    ["x.bin", { text: false }], // builtin macro
    ["x.both", { text: false }], // the macro, later on the line, wins over text
    ["docs/a.txt", {}], // a trailing '/' only matches directories
    ["top.txt", { eol: "crlf" }],
    ["sub/top.txt", {}], // anchored
    ["a/z.txt", { ident: true }],
    ["a/b/c/z.txt", { ident: true }],
    ["b/a/z.txt", {}],
    ["any.md", { eol: "crlf" }],
    ["p/q/any.md", { eol: "crlf" }],
    ["x.m", { text: true, eol: "crlf" }], // root macro
    ["nested/x.n", {}], // [attr] outside the root is refused
    ["neg.txt", {}], // negative patterns are ignored
    ["bad.txt", {}], // an invalid attribute name drops the line
    ["x.u", {}], // !eol makes it unspecified again
    ["sp ace.txt", { eol: "crlf" }], // quoted pattern
  ])("%s", (path, expected) => {
    expect(attrs.of(path)).toEqual(with_(expected));
  });
  it("reports git warnings for ignored lines", () => {
    expect(attrs.warnings.join("\n")).toMatch(/Negative patterns/);
    expect(attrs.warnings.join("\n")).toMatch(/\[attr\]x not allowed: nested\/.gitattributes:2/);
  });
});

describe("wildmatch", () => {
  it.each<[string, boolean, string, boolean]>([
    ["*.c", false, "a.c", true],
    ["a/*.c", true, "a/b/c.c", false],
    ["a/**/c.c", true, "a/c.c", true],
    ["a/**/c.c", true, "a/x/y/c.c", true],
    ["**/c.c", true, "c.c", true],
    ["a/**", true, "a/b/c", true],
    ["a**/c", true, "ab/c", true],
    ["a**/c", true, "ab/d/c", false],
    ["q?.txt", true, "qa.txt", true],
    ["q?.txt", true, "q/.txt", false],
    ["r[0-4].txt", false, "r3.txt", true],
    ["r[!0-4].txt", false, "r3.txt", false],
    ["r[!0-4].txt", false, "r7.txt", true],
    ["[[:digit:]]x", false, "5x", true],
    ["\\*x", false, "*x", true],
    ["\\*x", false, "ax", false],
    ["a[", false, "a[", false],
    ["q?.txt", false, "qé.txt", false], // '?' is one byte, as in git
    ["q??.txt", false, "qé.txt", true],
    ["*é*", false, "café.txt", true],
  ])("%s (pathname %s) on %s", (pattern, pathname, path, expected) => {
    expect(wildmatch(pattern, pathname)(path)).toBe(expected);
  });
});

describe("toWorkingTree (git archive with core.autocrlf=input, core.eol=lf)", () => {
  const convert = (content: string, a: Partial<PathAttributes>) => dec(toWorkingTree(enc(content), with_(a), blobId(enc(content))));
  it.each<[string, string, Partial<PathAttributes>, string]>([
    ["no attributes", "a\nb\n", {}, "a\nb\n"],
    ["eol=crlf", "a\nb\r\nc\n", { eol: "crlf" }, "a\r\nb\r\nc\r\n"],
    ["eol=crlf converts binary content too", "a\0\nb\rc\n", { eol: "crlf" }, "a\0\r\nb\rc\r\n"],
    ["text eol=lf", "a\n", { text: true, eol: "lf" }, "a\n"],
    ["text alone", "a\n", { text: true }, "a\n"],
    ["text=auto eol=crlf", "a\nb\n", { text: "auto", eol: "crlf" }, "a\r\nb\r\n"],
    ["text=auto eol=crlf leaves a file with CRLF", "a\r\nb\n", { text: "auto", eol: "crlf" }, "a\r\nb\n"],
    ["text=auto eol=crlf leaves a lone CR", "a\rb\n", { text: "auto", eol: "crlf" }, "a\rb\n"],
    ["text=auto eol=crlf leaves NUL", "a\0b\n", { text: "auto", eol: "crlf" }, "a\0b\n"],
    ["1 control char per 128 printable is text", `${"x".repeat(128)}\x01\n`, { text: "auto", eol: "crlf" }, `${"x".repeat(128)}\x01\r\n`],
    ["1 control char per 127 printable is binary", `${"x".repeat(127)}\x01\n`, { text: "auto", eol: "crlf" }, `${"x".repeat(127)}\x01\n`],
    ["a trailing ^Z is not counted", "a\n\x1a", { text: "auto", eol: "crlf" }, "a\r\n\x1a"],
    ["-text eol=crlf", "a\n", { text: false, eol: "crlf" }, "a\n"],
    ["legacy crlf", "a\n", { crlf: true }, "a\n"],
    ["legacy -crlf eol=crlf", "a\n", { crlf: false, eol: "crlf" }, "a\n"],
    ["text=input eol=crlf", "a\n", { text: "input", eol: "crlf" }, "a\r\n"],
    ["empty file", "", { eol: "crlf", "working-tree-encoding": "UTF-16" }, ""],
    [
      "ident",
      "$Id$ $Id: old $ $Id: a b $\n",
      { ident: true },
      "$Id: 0f7d5a2fd8a8f25bf5ff1b4c2ad8796e51dcba3e $ $Id: 0f7d5a2fd8a8f25bf5ff1b4c2ad8796e51dcba3e $ $Id: a b $\n",
    ],
    ["ident then crlf", "$Id$\n", { ident: true, eol: "crlf" }, "$Id: 6f8a7a3ba2a8cefc0d0d9d3fde1f9a8a7d3d7ab0 $\r\n"],
    ["UTF-16LE", "hé\n", { "working-tree-encoding": "UTF-16LE" }, "h\0\xe9\0\n\0"],
    ["UTF-16 has a little-endian BOM (glibc)", "a", { "working-tree-encoding": "UTF-16" }, "\xff\xfea\0"],
    ["UTF-32BE", "a", { "working-tree-encoding": "utf-32be" }, "\0\0\0a"],
    ["utf-8 is no conversion", "a\n", { "working-tree-encoding": "UTF-8" }, "a\n"],
  ])("%s", (_name, content, a, expected) => {
    if (_name.startsWith("ident")) {
      // The id is the blob's: recompute it so the table stays readable.
      const id = blobId(enc(content));
      expected = expected.replace(/[0-9a-f]{40}/g, id);
    }
    expect(convert(content, a)).toBe(expected);
  });

  it("leaves content that is not UTF-8 alone (iconv fails, git keeps the bytes)", () => {
    const raw = Uint8Array.of(0x61, 0xff, 0x0a);
    expect(toWorkingTree(raw, with_({ "working-tree-encoding": "UTF-16LE" }), blobId(raw))).toEqual(raw);
  });

  it("refuses encodings it cannot reproduce, and set/unset working-tree-encoding (git dies)", () => {
    expect(() => toWorkingTree(enc("a"), with_({ "working-tree-encoding": "SHIFT-JIS" }), "x", "a.txt")).toThrow(
      /a.txt: working-tree-encoding=SHIFT-JIS is not supported/,
    );
    expect(() => toWorkingTree(enc("a"), with_({ "working-tree-encoding": true }), "x", "a.txt")).toThrow(/true\/false/);
  });

  it("crlfAction and mayConvert", () => {
    expect(crlfAction(with_({}))).toBe("auto-input");
    expect(crlfAction(with_({ text: "auto" }))).toBe("auto");
    expect(crlfAction(with_({ binary: true } as Partial<PathAttributes>))).toBe("auto-input");
    expect(mayConvert(with_({ text: true }))).toBe(false);
    expect(mayConvert(with_({ eol: "crlf" }))).toBe(true);
    expect(mayConvert(with_({ ident: true }))).toBe(true);
    expect(mayConvert(with_({ "export-subst": true }))).toBe(false);
  });
});
