import { describe, expect, it } from "vitest";
import { goVersionAtLeast124 } from "../../src/proxy/zip/check-files.js";
import { goDirective } from "../../src/module/modfile.js";

// Whether x/mod/zip v0.43.0 CheckFiles applied the go ≥ 1.24 rules (vendor/modules.txt omitted)
// for a root go.mod with this text: frozen from a throwaway Go program (see zip-check-files.table.ts).
const CASES: [string, boolean][] = [
  ["module m\n\ngo 1.24\n", true],
  ["module m\ngo 1.24 // comment\n", true],
  ["module m\ngo 1.24.x\n", true],
  ["module m\ngo v1.24\n", false],
  ["module m\ngo 1.24rc1\n", true],
  ["module m\ngo 1.23\n", false],
  ["module m\ngo 1.24\ngo 1.24\n", false],
  ['module m\ngo "1.24"\n', false],
  ["module m\ngo 1.24 extra\n", false],
  ["module m\n  go    1.24  \n", true],
  ["module m\r\ngo 1.24\r\n", true],
  ["// go 1.24\nmodule m\n", false],
  ["module m\ngo 1.24\nrequire (\n", false],
  ["module m\ngo 1.24\nfoo bar\n", true],
  ["module m\ngo 1.24\nrequire x v1.0.0\n", true],
  ["module m\ngo 1.24\nreplace x => \n", true],
  ["module m\ngo (\n1.24\n)\n", false],
  ["go 1.25.0\n", true],
  ["module m\ngo 1.024\n", false],
  ["module m\ngo 1.24.x\ngo 1.22\n", false],
  ["module m\ngo 1.24\ntoolchain go1.25\n", true],
  // ParseLax fails on the require line, so x/mod has no go version: old rules.
  ["module m\ngo 1.24\nrequire x\n", false],
];

describe("goDirective feeds checkFiles as x/mod/zip reads the root go.mod", () => {
  it.each(CASES)("%j", (text, newRules) => {
    expect(goVersionAtLeast124(goDirective(text))).toBe(newRules);
  });
});
