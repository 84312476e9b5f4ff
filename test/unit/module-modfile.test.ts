// Expected values came from golang.org/x/mod v0.43.0 (= the copy vendored in go1.26.8) and go/version,
// printed by a throwaway Go program (not in the repo) and frozen here as tables.
import { describe, expect, it } from "vitest";
import { goDirective, legacyGoMod, modulePath, parseLax, retractions } from "../../src/module/modfile.js";
import { autoQuote, mustQuote } from "../../src/module/quote.js";

/** Go's error text, or "" when the call succeeds. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

// ModulePath, and ParseLax("go.mod", text, nil): its error list, go version, module path, retractions
const MODFILES = [
  { err: "", go: "1.21", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "module example.com/m\n\ngo 1.21\n" },
  { err: "", go: "1.24.0", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "module example.com/m\ngo 1.24.0\n" },
  { err: "", go: "1.21", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "module example.com/m\ngo 1.21.x\n" },
  { err: "go.mod:2: invalid go version 'v1.22': must match format 1.23.0", modulePath: "example.com/m", text: "module example.com/m\ngo v1.22\n" },
  { err: "", go: "1.23rc1", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "module example.com/m\ngo 1.23rc1\n" },
  { err: "", go: "1.22", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "module example.com/m\ngo 1.22-custom\n" },
  { err: "go.mod:2: invalid go version '1': must match format 1.23.0", modulePath: "example.com/m", text: "module example.com/m\ngo 1\n" },
  { err: "go.mod:2: go directive expects exactly one argument", modulePath: "example.com/m", text: "module example.com/m\ngo 1.21 1.22\n" },
  { err: "go.mod:3: repeated go statement", modulePath: "example.com/m", text: "module example.com/m\ngo 1.21\ngo 1.22\n" },
  { err: "go.mod:2: invalid go version '\"1.21\"': must match format 1.23.0", modulePath: "example.com/m", text: 'module example.com/m\ngo "1.21"\n' },
  { err: "go.mod:2: invalid go version '01.21': must match format 1.23.0", modulePath: "example.com/m", text: "module example.com/m\ngo 01.21\n" },
  { err: "", go: "1.22", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "module example.com/m\ntoolchain go1.22.0\ngo 1.22\n" },
  { err: "", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "// comment\nmodule example.com/m // trailing\n" },
  { err: "", module: "example.com/quoted", modulePath: "example.com/quoted", retract: null, text: 'module "example.com/quoted"\n' },
  { err: "go.mod:1: invalid quoted string: unquoted string cannot contain quote", modulePath: "example.com/raw", text: "module `example.com/raw`\n" },
  { err: "go.mod:1:24: unexpected newline in string", modulePath: "", text: 'module "example.com/bad\n' },
  { err: "", module: "example.com/tab", modulePath: "example.com/tab", retract: null, text: "module\texample.com/tab\n" },
  { err: "", module: "example.com/second", modulePath: "example.com/second", retract: null, text: "modulex example.com/m\nmodule example.com/second\n" },
  { err: "go.mod:1: usage: module module/path", modulePath: "", text: "module\n" },
  { err: "go.mod:1: usage: module module/path", modulePath: "example.com/a example.com/b", text: "module example.com/a example.com/b\n" },
  { err: "", go: "1.20", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "module example.com/m\r\ngo 1.20\r\n" },
  { err: "", module: "example.com/spaced", modulePath: "example.com/spaced", retract: null, text: "  module   example.com/spaced   \n" },
  { err: "", go: "1.21", modulePath: "", retract: null, text: "go 1.21\n" },
  { err: "", modulePath: "", retract: null, text: "" },
  { err: "", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "module example.com/m\nrequire example.com/x v1.0.0\n" },
  {
    err: 'go.mod:2: require example.com/x: version "1.0.0" invalid: must be of the form v1.2.3',
    modulePath: "example.com/m",
    text: "module example.com/m\nrequire example.com/x 1.0.0\n",
  },
  { err: "", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "module example.com/m\nrequire example.com/x v1.0\n" },
  {
    err: 'go.mod:2: require example.com/x: version "v2.0.0" invalid: should be v0 or v1, not v2',
    modulePath: "example.com/m",
    text: "module example.com/m\nrequire example.com/x v2.0.0\n",
  },
  {
    err: "go.mod:3: invalid module path",
    modulePath: "example.com/m",
    text: "module example.com/m\nrequire example.com/x/v2 v2.0.0\nrequire example.com/y/v1 v1.0.0\n",
  },
  {
    err: "go.mod:4:2: usage: require module/path v1.2.3",
    modulePath: "example.com/m",
    text: "module example.com/m\nrequire (\n\texample.com/x v1.0.0\n\texample.com/y\n)\ngo 1.22\n",
  },
  { err: "go.mod:2: usage: require module/path v1.2.3", modulePath: "example.com/m", text: "module example.com/m\nrequire example.com/x\n" },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: null,
    text: "module example.com/m\nreplace example.com/x => ../x\nexclude example.com/y bogus\ntool example.com/t\ngodebug x=1\nfuture directive here\n",
  },
  { err: "go.mod:3: ignore directive expects exactly one argument", modulePath: "example.com/m", text: "module example.com/m\nignore ./foo\nignore a b\n" },
  { err: "go.mod:2: repeated module statement", modulePath: "example.com/m", text: "module example.com/m\nmodule example.com/n\n" },
  { err: "go.mod:2: mod files must use // comments (not /* */ comments)", modulePath: "example.com/m", text: "module example.com/m\n/* block */\n" },
  { err: "go.mod:2:9: mod files must use // comments (not /* */ comments)", modulePath: "example.com/m", text: "module example.com/m\ngo 1.21 /* x */\n" },
  {
    err: "go.mod:4: syntax error (unterminated block started at go.mod:2:1)",
    modulePath: "example.com/m",
    text: "module example.com/m\nrequire (\n\texample.com/x v1.0.0\n",
  },
  {
    err: "go.mod:4:4: syntax error (expected newline after closing paren)",
    modulePath: "example.com/m",
    text: "module example.com/m\nrequire (\n\texample.com/x v1.0.0\n) x\n",
  },
  { err: "go.mod:2:30: unexpected newline in string", modulePath: "example.com/m", text: 'module example.com/m\nrequire "example.com/x v1.0.0\n' },
  {
    err: "go.mod:2: invalid quoted string: unquoted string cannot contain quote",
    modulePath: "example.com/m",
    text: "module example.com/m\nrequire `example.com/x` v1.0.0\n",
  },
  { err: "", module: "example.com/m", modulePath: "example.com/m", retract: null, text: 'module example.com/m\nrequire "example.com/x" "v1.0.0"\n' },
  {
    err: "go.mod:2: invalid quoted string: unquoted string cannot contain quote",
    modulePath: "example.com/m",
    text: 'module example.com/m\nrequire x"y v1.0.0\n',
  },
  { err: "go.mod:2: unexpected input character '\\f'", modulePath: "example.com/m", text: "module example.com/m\n\fgo 1.21\n" },
  { err: "go.mod:3: unexpected input character '\\u00a0'", modulePath: "example.com/m", text: "module example.com/m\ngo 1.21\n \n" },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [{ high: "v1.0.0", low: "v1.0.0", rationale: "" }],
    text: "module example.com/m\n\nretract v1.0.0\n",
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [{ high: "v1.0.1", low: "v1.0.1", rationale: "Bad release.\noops" }],
    text: "module example.com/m\n\n// Bad release.\nretract v1.0.1 // oops\n",
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [{ high: "v1.0.5", low: "v1.0.0", rationale: "range" }],
    text: "module example.com/m\n\nretract [v1.0.0, v1.0.5] // range\n",
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [
      { high: "v1.1.0", low: "v1.1.0", rationale: "one" },
      { high: "v1.2.0", low: "v1.2.0", rationale: "two" },
      { high: "v1.3.0", low: "v1.3.0", rationale: "" },
      { high: "v1.4.9", low: "v1.4.0", rationale: "Block comment." },
    ],
    text: "module example.com/m\n\n// Block comment.\nretract (\n\tv1.1.0 // one\n\t// two\n\tv1.2.0\n\n\tv1.3.0\n\t[v1.4.0, v1.4.9]\n)\n",
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [{ high: "v1.1.0", low: "v1.1.0", rationale: "" }],
    text: "module example.com/m\n\nretract (\n\tv1.1.0\n)\n",
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [
      { high: "v1.1.0", low: "v1.1.0", rationale: "Whole block." },
      { high: "v1.2.0", low: "v1.2.0", rationale: "own" },
    ],
    text: "module example.com/m\n\n// Whole block.\nretract (\n\tv1.1.0\n\tv1.2.0 // own\n)\n",
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [{ high: "v1.0.0", low: "v1.0.0", rationale: "" }],
    text: "module example.com/m\n\n// Detached.\n\nretract v1.0.0\n",
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [
      { high: "v1.0", low: "v1.0", rationale: "" },
      { high: "v1.5.0", low: "v1.5.0", rationale: "" },
      { high: "bogus", low: "bogus", rationale: "" },
      { high: "v1.0.0", low: "v1.0.0", rationale: "" },
    ],
    text: 'module example.com/m\nretract v1.0\nretract "v1.5.0"\nretract bogus\nretract [v1, v2\nretract [v1.0.0 v2.0.0]\nretract v1.0.0 extra tokens\nretract\nretract (v1.0.0)\n',
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [
      { high: "v1.1.0", low: "v1.0.0", rationale: "" },
      { high: "v1", low: "v1", rationale: "" },
    ],
    text: 'module example.com/m\nretract ["v1.0.0", v1.1.0]\nretract "v1"x\n',
  },
  { err: "", modulePath: "", retract: [{ high: "v1.0.0", low: "v1.0.0", rationale: "" }], text: "retract v1.0.0\n" },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [
      { high: "v1.0.0", low: "v1.0.0", rationale: "a" },
      { high: "v1.1.0", low: "v1.1.0", rationale: "b" },
    ],
    text: "module example.com/m\nretract v1.0.0 // a\n// b\nretract v1.1.0\n",
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [{ high: "v1.0.0", low: "v1.0.0", rationale: "multi\nline\n" }],
    text: "module example.com/m\n// multi\n//  line   \n//\nretract v1.0.0\n",
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [
      { high: "v1.0.0", low: "v1.0.0", rationale: "no space" },
      { high: "v1.0.1", low: "v1.0.1", rationale: "two // slashes" },
    ],
    text: "module example.com/m\nretract v1.0.0 //no space\nretract v1.0.1 // two // slashes\n",
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [{ high: "v1.0.0", low: "v1.0.0", rationale: "" }],
    text: "module example.com/m\nretract () // empty\nretract v1.0.0\n",
  },
  {
    err: "",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: [{ high: "v1.0.0", low: "v1.0.0", rationale: "" }],
    text: "module example.com/m\nretract ( // lparen\n\tv1.0.0\n) // rparen\n",
  },
  {
    err: "",
    go: "1.21",
    module: "example.com/m",
    modulePath: "example.com/m",
    retract: null,
    text: "module example.com/m\nrequire example.com/x v1.0.0 // indirect\ngo 1.21.x // lax\n",
  },
  { err: "go.mod:2: go directive expects exactly one argument", modulePath: "example.com/m", text: "module example.com/m\ngo ( 1.21 )\n" },
  { err: "", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "module example.com/m\ngo (\n\t1.21\n)\n" },
  { err: "", module: "example.com/mA", modulePath: "example.com/mA", retract: null, text: 'module "example.com/m\\x41"\n' },
  { err: "", module: "example.com/é", modulePath: "example.com/é", retract: null, text: 'module "example.com/\\u00e9"\n' },
  { err: "go.mod:2: repeated module statement", modulePath: "example.com/m", text: 'module example.com/m\nmodule "bad\\q"\n' },
  { err: "", module: "example.com/m", modulePath: "example.com/m", retract: null, text: "module example.com/m // c\n" },
  { err: "", module: "example.com/m // not a comment", modulePath: "", retract: null, text: 'module "example.com/m // not a comment"\n' },
];

// MustQuote, AutoQuote, and LegacyGoMod's text
const QUOTES = [
  { auto: "example.com/m", legacy: "module example.com/m\n", must: false, s: "example.com/m" },
  { auto: '"example.com/a b"', legacy: 'module "example.com/a b"\n', must: true, s: "example.com/a b" },
  { auto: '"example.com/\\"q\\""', legacy: 'module "example.com/\\"q\\""\n', must: true, s: 'example.com/"q"' },
  { auto: '"example.com/it\'s"', legacy: 'module "example.com/it\'s"\n', must: true, s: "example.com/it's" },
  { auto: '"example.com/`x`"', legacy: 'module "example.com/`x`"\n', must: true, s: "example.com/`x`" },
  { auto: "(", legacy: "module (\n", must: false, s: "(" },
  { auto: ")", legacy: "module )\n", must: false, s: ")" },
  { auto: '"[x]"', legacy: 'module "[x]"\n', must: true, s: "[x]" },
  { auto: '"a,b"', legacy: 'module "a,b"\n', must: true, s: "a,b" },
  { auto: '"example.com/a//b"', legacy: 'module "example.com/a//b"\n', must: true, s: "example.com/a//b" },
  { auto: '"example.com/a/*b"', legacy: 'module "example.com/a/*b"\n', must: true, s: "example.com/a/*b" },
  { auto: '""', legacy: 'module ""\n', must: true, s: "" },
  { auto: "example.com/é", legacy: "module example.com/é\n", must: false, s: "example.com/é" },
  { auto: '"example.com/\\x01"', legacy: 'module "example.com/\\x01"\n', must: true, s: "example.com/\u0001" },
  { auto: '"tab\\there"', legacy: 'module "tab\\there"\n', must: true, s: "tab\there" },
  { auto: '"\\u00a0"', legacy: 'module "\\u00a0"\n', must: true, s: " " },
];

describe("go.mod reading (docs/go-rules.md §3, §4.3)", () => {
  it.each(MODFILES)("reads %j", (row) => {
    expect(modulePath(row.text)).toBe(row.modulePath);
    expect(errorOf(() => parseLax(row.text))).toBe(row.err);
    if (row.err === "") {
      const f = parseLax(row.text);
      expect(f.go).toBe(row.go);
      expect(f.module).toBe(row.module);
      expect(f.retract).toEqual(row.retract ?? []);
      expect(retractions(row.text)).toEqual(row.retract ?? []);
    } else {
      expect(errorOf(() => retractions(row.text))).toBe(row.err);
    }
    // x/mod/zip's parseGoVers: "" when absent or when ParseLax fails.
    expect(goDirective(row.text)).toBe(row.err === "" ? (row.go ?? "") : "");
  });

  it.each(QUOTES)("quotes %j for a synthesized go.mod", ({ s, must, auto, legacy }) => {
    expect(mustQuote(s)).toBe(must);
    expect(autoQuote(s)).toBe(auto);
    expect(legacyGoMod(s)).toBe(legacy);
  });
});
