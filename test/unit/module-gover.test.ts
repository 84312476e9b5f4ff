// Expected values came from golang.org/x/mod v0.43.0 (= the copy vendored in go1.26.8) and go/version,
// printed by a throwaway Go program (not in the repo) and frozen here as tables.
import { describe, expect, it } from "vitest";
import { goVersionCompare, goVersionIsValid, goVersionLang } from "../../src/module/gover.js";

// version.Lang, version.IsValid, version.Compare(v, "go1.24") — the vendor rule's test (docs/go-rules.md §4.3)
const VERSIONS = [
  { lang: "go1.24", v: "go1.24", valid: true, vs124: 0 },
  { lang: "go1.24", v: "go1.24.0", valid: true, vs124: 1 },
  { lang: "go1.24", v: "go1.24.3", valid: true, vs124: 1 },
  { lang: "go1.23", v: "go1.23", valid: true, vs124: -1 },
  { lang: "go1.23", v: "go1.23.9", valid: true, vs124: -1 },
  { lang: "go1.24", v: "go1.24rc1", valid: true, vs124: 1 },
  { lang: "go1.25", v: "go1.25rc1", valid: true, vs124: 1 },
  { lang: "go1.21", v: "go1.21", valid: true, vs124: -1 },
  { lang: "go1.21", v: "go1.21.0", valid: true, vs124: -1 },
  { lang: "go1.21", v: "go1.21rc2", valid: true, vs124: -1 },
  { lang: "go1.20", v: "go1.20", valid: true, vs124: -1 },
  { lang: "go1", v: "go1.0", valid: true, vs124: -1 },
  { lang: "go1", v: "go1", valid: true, vs124: -1 },
  { lang: "go2.0", v: "go2", valid: true, vs124: 1 },
  { lang: "", v: "", valid: false, vs124: -1 },
  { lang: "", v: "go", valid: false, vs124: -1 },
  { lang: "", v: "1.24", valid: false, vs124: -1 },
  { lang: "", v: "go1.24.x", valid: false, vs124: -1 },
  { lang: "go1.24", v: "go1.24-custom", valid: true, vs124: 0 },
  { lang: "", v: "go1.025", valid: false, vs124: -1 },
  { lang: "", v: "go1.24.01", valid: false, vs124: -1 },
  { lang: "", v: "gox", valid: false, vs124: -1 },
  { lang: "go1.24", v: "go1.24beta", valid: true, vs124: 1 },
  { lang: "go1.24", v: "go1.24rc", valid: true, vs124: 1 },
  { lang: "", v: "go1.24RC1", valid: false, vs124: -1 },
  { lang: "", v: "go1.24.0rc1", valid: false, vs124: -1 },
  { lang: "", v: "go1.21.x", valid: false, vs124: -1 },
  { lang: "go1.100", v: "go1.100", valid: true, vs124: 1 },
];

const PAIRS = [
  { a: "go1.21", b: "go1.21.0", compare: -1 },
  { a: "go1.21rc1", b: "go1.21.0", compare: -1 },
  { a: "go1.21", b: "go1.21rc1", compare: -1 },
  { a: "go1.20", b: "go1.20.0", compare: 0 },
  { a: "go1.19", b: "go1.20", compare: -1 },
  { a: "", b: "go1", compare: -1 },
  { a: "bad", b: "worse", compare: 0 },
  { a: "go1.21alpha1", b: "go1.21beta1", compare: -1 },
  { a: "go1.9", b: "go1.10", compare: -1 },
  { a: "go1.24", b: "go1.24.0", compare: -1 },
];

describe("go versions (go/version)", () => {
  it.each(VERSIONS)("reads $v", ({ v, lang, valid, vs124 }) => {
    expect(goVersionLang(v)).toBe(lang);
    expect(goVersionIsValid(v)).toBe(valid);
    expect(goVersionCompare(v, "go1.24")).toBe(vs124);
  });

  it.each(PAIRS)("compares $a with $b", ({ a, b, compare }) => {
    expect(goVersionCompare(a, b)).toBe(compare);
    expect(goVersionCompare(b, a)).toBe(-compare || 0);
  });
});
