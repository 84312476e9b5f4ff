// Expected values came from golang.org/x/mod v0.43.0 (= the copy vendored in go1.26.8) and go/version,
// printed by a throwaway Go program (not in the repo) and frozen here as tables.
import { describe, expect, it } from "vitest";
import { build, canonical, compare, isValid, major, majorMinor, max, prerelease, sort } from "../../src/module/semver.js";
import { canonicalVersion } from "../../src/module/path.js";

// isValid, canonical, major, majorMinor, prerelease, build, module.CanonicalVersion
const VERSIONS = [
  { build: "", canonical: "v1.2.3", canonicalVersion: "v1.2.3", major: "v1", majorMinor: "v1.2", prerelease: "", v: "v1.2.3", valid: true },
  { build: "", canonical: "v1.2.0", canonicalVersion: "v1.2.0", major: "v1", majorMinor: "v1.2", prerelease: "", v: "v1.2", valid: true },
  { build: "", canonical: "v1.0.0", canonicalVersion: "v1.0.0", major: "v1", majorMinor: "v1.0", prerelease: "", v: "v1", valid: true },
  { build: "", canonical: "v0.0.0", canonicalVersion: "v0.0.0", major: "v0", majorMinor: "v0.0", prerelease: "", v: "v0", valid: true },
  { build: "", canonical: "v1.2.3-pre", canonicalVersion: "v1.2.3-pre", major: "v1", majorMinor: "v1.2", prerelease: "-pre", v: "v1.2.3-pre", valid: true },
  {
    build: "+meta",
    canonical: "v1.2.3-pre",
    canonicalVersion: "v1.2.3-pre",
    major: "v1",
    majorMinor: "v1.2",
    prerelease: "-pre",
    v: "v1.2.3-pre+meta",
    valid: true,
  },
  { build: "+meta", canonical: "v1.2.3", canonicalVersion: "v1.2.3", major: "v1", majorMinor: "v1.2", prerelease: "", v: "v1.2.3+meta", valid: true },
  {
    build: "+incompatible",
    canonical: "v2.0.0",
    canonicalVersion: "v2.0.0+incompatible",
    major: "v2",
    majorMinor: "v2.0",
    prerelease: "",
    v: "v2.0.0+incompatible",
    valid: true,
  },
  { build: "", canonical: "v1.0.0-RC1", canonicalVersion: "v1.0.0-RC1", major: "v1", majorMinor: "v1.0", prerelease: "-RC1", v: "v1.0.0-RC1", valid: true },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "1.2.3", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.02.3", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v01.2.3", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.2.3-01", valid: false },
  { build: "", canonical: "v1.2.3-0", canonicalVersion: "v1.2.3-0", major: "v1", majorMinor: "v1.2", prerelease: "-0", v: "v1.2.3-0", valid: true },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.2.3-a.01", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.2.3-", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.2.3+", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.2.3-a..b", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.2.3+a..b", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.2.3-a_b", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.2.3.4", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.2-pre", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.2+meta", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v", valid: false },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "V1.2.3", valid: false },
  {
    build: "",
    canonical: "v1.2.3-0.20210101000000-abcdefabcdef",
    canonicalVersion: "v1.2.3-0.20210101000000-abcdefabcdef",
    major: "v1",
    majorMinor: "v1.2",
    prerelease: "-0.20210101000000-abcdefabcdef",
    v: "v1.2.3-0.20210101000000-abcdefabcdef",
    valid: true,
  },
  { build: "", canonical: "", canonicalVersion: "", major: "", majorMinor: "", prerelease: "", v: "v1.2.3+meta+more", valid: false },
  {
    build: "",
    canonical: "v1.2.3-x-y.z--",
    canonicalVersion: "v1.2.3-x-y.z--",
    major: "v1",
    majorMinor: "v1.2",
    prerelease: "-x-y.z--",
    v: "v1.2.3-x-y.z--",
    valid: true,
  },
  {
    build: "",
    canonical: "v18446744073709551616.0.0",
    canonicalVersion: "v18446744073709551616.0.0",
    major: "v18446744073709551616",
    majorMinor: "v18446744073709551616.0",
    prerelease: "",
    v: "v18446744073709551616.0.0",
    valid: true,
  },
  {
    build: "+build.5.6",
    canonical: "v1.2.3-beta.2",
    canonicalVersion: "v1.2.3-beta.2",
    major: "v1",
    majorMinor: "v1.2",
    prerelease: "-beta.2",
    v: "v1.2.3-beta.2+build.5.6",
    valid: true,
  },
  {
    build: "",
    canonical: "v0.0.0-00010101000000-000000000000",
    canonicalVersion: "v0.0.0-00010101000000-000000000000",
    major: "v0",
    majorMinor: "v0.0",
    prerelease: "-00010101000000-000000000000",
    v: "v0.0.0-00010101000000-000000000000",
    valid: true,
  },
];

// compare and max (build metadata ignored, invalid < valid)
const PAIRS = [
  { a: "v1.2.3", b: "v1.2.4", compare: -1, max: "v1.2.4" },
  { a: "v1.2", b: "v1.2.0", compare: 0, max: "v1.2.0" },
  { a: "v1", b: "v1.0.0", compare: 0, max: "v1.0.0" },
  { a: "v1.0.0-alpha", b: "v1.0.0", compare: -1, max: "v1.0.0" },
  { a: "v1.0.0-alpha", b: "v1.0.0-alpha.1", compare: -1, max: "v1.0.0-alpha.1" },
  { a: "v1.0.0-alpha.1", b: "v1.0.0-alpha.beta", compare: -1, max: "v1.0.0-alpha.beta" },
  { a: "v1.0.0-alpha.beta", b: "v1.0.0-beta", compare: -1, max: "v1.0.0-beta" },
  { a: "v1.0.0-beta.2", b: "v1.0.0-beta.11", compare: -1, max: "v1.0.0-beta.11" },
  { a: "v1.0.0-rc.1", b: "v1.0.0", compare: -1, max: "v1.0.0" },
  { a: "v1.0.0+a", b: "v1.0.0+b", compare: 0, max: "v1.0.0" },
  { a: "v2.0.0+incompatible", b: "v2.0.0", compare: 0, max: "v2.0.0" },
  { a: "bad", b: "v0.0.0", compare: -1, max: "v0.0.0" },
  { a: "bad", b: "worse", compare: 0, max: "" },
  { a: "v10.0.0", b: "v9.0.0", compare: 1, max: "v10.0.0" },
  { a: "v1.10.0", b: "v1.9.0", compare: 1, max: "v1.10.0" },
  { a: "v1.0.0-1", b: "v1.0.0-a", compare: -1, max: "v1.0.0-a" },
  { a: "v1.0.0-2", b: "v1.0.0-10", compare: -1, max: "v1.0.0-10" },
  { a: "v1.0.0-B", b: "v1.0.0-a", compare: -1, max: "v1.0.0-a" },
  { a: "v1.2.3-pre", b: "v1.2.2", compare: 1, max: "v1.2.3-pre" },
  { a: "v1.2.3-0.2021", b: "v1.2.3-pre", compare: -1, max: "v1.2.3-pre" },
  { a: "v1.2", b: "v1.2.0+meta", compare: 0, max: "v1.2.0" },
  { a: "", b: "v1.0.0", compare: -1, max: "v1.0.0" },
  { a: "v1.0.0-a.b.c", b: "v1.0.0-a.b", compare: 1, max: "v1.0.0-a.b.c" },
];

const SORTS = [
  {
    in: ["v1.10.0", "v1.9.0", "v1.2", "v1.2.0", "bad", "v1.2.0+meta", "v1.0.0-rc.1", "another", "v2.0.0+incompatible", "v0.1.0"],
    sorted: ["another", "bad", "v0.1.0", "v1.0.0-rc.1", "v1.2", "v1.2.0", "v1.2.0+meta", "v1.9.0", "v1.10.0", "v2.0.0+incompatible"],
  },
  { in: ["v1.0.0+b", "v1.0.0+a", "v1.0.0", "v1.0"], sorted: ["v1.0", "v1.0.0", "v1.0.0+a", "v1.0.0+b"] },
];

describe("semver", () => {
  it.each(VERSIONS)("parses $v", (row) => {
    expect({
      v: row.v,
      valid: isValid(row.v),
      canonical: canonical(row.v),
      major: major(row.v),
      majorMinor: majorMinor(row.v),
      prerelease: prerelease(row.v),
      build: build(row.v),
      canonicalVersion: canonicalVersion(row.v),
    }).toEqual(row);
  });

  it.each(PAIRS)("compares $a with $b", ({ a, b, compare: want, max: wantMax }) => {
    expect(compare(a, b)).toBe(want);
    expect(compare(b, a)).toBe(-want || 0);
    expect(max(a, b)).toBe(wantMax);
  });

  it.each(SORTS)("sorts like semver.Sort %#", ({ in: list, sorted }) => {
    expect(sort([...list])).toEqual(sorted);
  });
});
