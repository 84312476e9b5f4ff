// Expected values came from golang.org/x/mod v0.43.0 (= the copy vendored in go1.26.8) and go/version,
// printed by a throwaway Go program (not in the repo) and frozen here as tables.
import { describe, expect, it } from "vitest";
import {
  isPseudoVersion,
  isZeroPseudoVersion,
  pseudoVersion,
  pseudoVersionBase,
  pseudoVersionRev,
  pseudoVersionTime,
  zeroPseudoVersion,
} from "../../src/module/pseudo.js";
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

/** Go's time.Time.UTC().Format(time.RFC3339), or "" when the call throws. */
function rfc3339(fn: () => Date): string {
  try {
    return fn().toISOString().replace(".000Z", "Z");
  } catch {
    return "";
  }
}

// PseudoVersion(major, older, time, rev)
const BUILD = [
  { major: "", older: "", pseudo: "v0.0.0-20210101080000-40971943396a", rev: "40971943396a", time: "2021-01-01T08:00:00Z" },
  { major: "v2", older: "", pseudo: "v2.0.0-20210101060000-40971943396a", rev: "40971943396a", time: "2021-01-01T08:00:00+02:00" },
  { major: "v1", older: "v1.2.3", pseudo: "v1.2.4-0.20210202000000-92f32b055b44", rev: "92f32b055b44", time: "2021-02-02T00:00:00Z" },
  { major: "", older: "v1.0.0", pseudo: "v1.0.1-0.20210202000000-92f32b055b44", rev: "92f32b055b44", time: "2021-02-02T00:00:00Z" },
  { major: "", older: "v1.2.9", pseudo: "v1.2.10-0.20210202000000-92f32b055b44", rev: "92f32b055b44", time: "2021-02-02T00:00:00Z" },
  { major: "", older: "v1.2.99", pseudo: "v1.2.100-0.20210202000000-92f32b055b44", rev: "92f32b055b44", time: "2021-02-02T00:00:00Z" },
  { major: "", older: "v1.3.0-rc.1", pseudo: "v1.3.0-rc.1.0.20210301100000-90ab375e542f", rev: "90ab375e542f", time: "2021-03-01T10:00:00Z" },
  { major: "", older: "v2.0.0+incompatible", pseudo: "v2.0.1-0.20210301100000-90ab375e542f+incompatible", rev: "90ab375e542f", time: "2021-03-01T10:00:00Z" },
  { major: "", older: "v1.2", pseudo: "v1.2.1-0.20210301100000-90ab375e542f", rev: "90ab375e542f", time: "2021-03-01T10:00:00Z" },
  {
    major: "",
    older: "v0.4.0-0.20220101000000-abcdefabcdef",
    pseudo: "v0.4.0-0.20220101000000-abcdefabcdef.0.20220404040404-2da0ba2fab62",
    rev: "2da0ba2fab62",
    time: "2022-04-04T04:04:04Z",
  },
  { major: "", older: "bad", pseudo: "v0.0.0-20000101005959-abcdefabcdef", rev: "abcdefabcdef", time: "1999-12-31T23:59:59-01:00" },
];

// IsPseudoVersion, IsZeroPseudoVersion, PseudoVersionBase/Rev/Time, and module.VersionError of the base error
const PARSE = [
  {
    asModuleErr: "",
    base: "",
    baseErr: "",
    is: true,
    rev: "40971943396a",
    revErr: "",
    time: "2021-01-01T08:00:00Z",
    timeErr: "",
    v: "v0.0.0-20210101080000-40971943396a",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "v1.2.3",
    baseErr: "",
    is: true,
    rev: "92f32b055b44",
    revErr: "",
    time: "2021-02-02T00:00:00Z",
    timeErr: "",
    v: "v1.2.4-0.20210202000000-92f32b055b44",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "v1.3.0-rc.1",
    baseErr: "",
    is: true,
    rev: "90ab375e542f",
    revErr: "",
    time: "2021-03-01T10:00:00Z",
    timeErr: "",
    v: "v1.3.0-rc.1.0.20210301100000-90ab375e542f",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "v2.0.0+incompatible",
    baseErr: "",
    is: true,
    rev: "90ab375e542f",
    revErr: "",
    time: "2021-03-01T10:00:00Z",
    timeErr: "",
    v: "v2.0.1-0.20210301100000-90ab375e542f+incompatible",
    zero: false,
  },
  {
    asModuleErr:
      'example.com/m@v0.0.0-20210101080000-40971943396a+incompatible: invalid pseudo-version: lacks base version, but has build metadata "+incompatible"',
    base: "",
    baseErr: 'pseudo-version "v0.0.0-20210101080000-40971943396a+incompatible" invalid: lacks base version, but has build metadata "+incompatible"',
    is: true,
    rev: "40971943396a",
    revErr: "",
    time: "2021-01-01T08:00:00Z",
    timeErr: "",
    v: "v0.0.0-20210101080000-40971943396a+incompatible",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "",
    baseErr: "",
    is: true,
    rev: "40971943396a",
    revErr: "",
    time: "2021-01-01T08:00:00Z",
    timeErr: "",
    v: "v1.0.0-20210101080000-40971943396a",
    zero: false,
  },
  {
    asModuleErr: "example.com/m@v1.2.3: invalid pseudo-version: syntax error",
    base: "",
    baseErr: 'pseudo-version "v1.2.3" invalid: syntax error',
    is: false,
    rev: "",
    revErr: 'pseudo-version "v1.2.3" invalid: syntax error',
    time: "",
    timeErr: 'pseudo-version "v1.2.3" invalid: syntax error',
    v: "v1.2.3",
    zero: false,
  },
  {
    asModuleErr: "example.com/m@v1.2.3-pre: invalid pseudo-version: syntax error",
    base: "",
    baseErr: 'pseudo-version "v1.2.3-pre" invalid: syntax error',
    is: false,
    rev: "",
    revErr: 'pseudo-version "v1.2.3-pre" invalid: syntax error',
    time: "",
    timeErr: 'pseudo-version "v1.2.3-pre" invalid: syntax error',
    v: "v1.2.3-pre",
    zero: false,
  },
  {
    asModuleErr: "example.com/m@v1.0.0-0.20210101080000-40971943396a: invalid pseudo-version: version before v1.0.0 would have negative patch number",
    base: "",
    baseErr: 'pseudo-version "v1.0.0-0.20210101080000-40971943396a" invalid: version before v1.0.0 would have negative patch number',
    is: true,
    rev: "40971943396a",
    revErr: "",
    time: "2021-01-01T08:00:00Z",
    timeErr: "",
    v: "v1.0.0-0.20210101080000-40971943396a",
    zero: false,
  },
  {
    asModuleErr: "example.com/m@v1.2.0-0.20210101080000-40971943396a: invalid pseudo-version: version before v1.2.0 would have negative patch number",
    base: "",
    baseErr: 'pseudo-version "v1.2.0-0.20210101080000-40971943396a" invalid: version before v1.2.0 would have negative patch number',
    is: true,
    rev: "40971943396a",
    revErr: "",
    time: "2021-01-01T08:00:00Z",
    timeErr: "",
    v: "v1.2.0-0.20210101080000-40971943396a",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "v1.2.9",
    baseErr: "",
    is: true,
    rev: "40971943396a",
    revErr: "",
    time: "2021-01-01T08:00:00Z",
    timeErr: "",
    v: "v1.2.10-0.20210101080000-40971943396a",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "",
    baseErr: "",
    is: true,
    rev: "abcdefabcdef",
    revErr: "",
    time: "",
    timeErr: 'pseudo-version "v0.0.0-20211301000000-abcdefabcdef" invalid: malformed time "20211301000000"',
    v: "v0.0.0-20211301000000-abcdefabcdef",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "",
    baseErr: "",
    is: true,
    rev: "abcdefabcdef",
    revErr: "",
    time: "",
    timeErr: 'pseudo-version "v0.0.0-20210230000000-abcdefabcdef" invalid: malformed time "20210230000000"',
    v: "v0.0.0-20210230000000-abcdefabcdef",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "",
    baseErr: "",
    is: true,
    rev: "abcdefabcdef",
    revErr: "",
    time: "",
    timeErr: 'pseudo-version "v0.0.0-20210101240000-abcdefabcdef" invalid: malformed time "20210101240000"',
    v: "v0.0.0-20210101240000-abcdefabcdef",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "",
    baseErr: "",
    is: true,
    rev: "000000000000",
    revErr: "",
    time: "0001-01-01T00:00:00Z",
    timeErr: "",
    v: "v0.0.0-00010101000000-000000000000",
    zero: true,
  },
  {
    asModuleErr: "",
    base: "",
    baseErr: "",
    is: true,
    rev: "000000000000",
    revErr: "",
    time: "0001-01-01T00:00:00Z",
    timeErr: "",
    v: "v2.0.0-00010101000000-000000000000",
    zero: true,
  },
  {
    asModuleErr: "example.com/m@v0.0.0-2021010108000-40971943396a: invalid pseudo-version: syntax error",
    base: "",
    baseErr: 'pseudo-version "v0.0.0-2021010108000-40971943396a" invalid: syntax error',
    is: false,
    rev: "",
    revErr: 'pseudo-version "v0.0.0-2021010108000-40971943396a" invalid: syntax error',
    time: "",
    timeErr: 'pseudo-version "v0.0.0-2021010108000-40971943396a" invalid: syntax error',
    v: "v0.0.0-2021010108000-40971943396a",
    zero: false,
  },
  {
    asModuleErr: "example.com/m@v0.0.0-20210101080000-4097194339_a: invalid pseudo-version: syntax error",
    base: "",
    baseErr: 'pseudo-version "v0.0.0-20210101080000-4097194339_a" invalid: syntax error',
    is: false,
    rev: "",
    revErr: 'pseudo-version "v0.0.0-20210101080000-4097194339_a" invalid: syntax error',
    time: "",
    timeErr: 'pseudo-version "v0.0.0-20210101080000-4097194339_a" invalid: syntax error',
    v: "v0.0.0-20210101080000-4097194339_a",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "v1.2.3-pre",
    baseErr: "",
    is: true,
    rev: "40971943396a",
    revErr: "",
    time: "2021-01-01T08:00:00Z",
    timeErr: "",
    v: "v1.2.3-pre.0.20210101080000-40971943396a",
    zero: false,
  },
  {
    asModuleErr: "example.com/m@v1.2.3-pre0.20210101080000-40971943396a: invalid pseudo-version: syntax error",
    base: "",
    baseErr: 'pseudo-version "v1.2.3-pre0.20210101080000-40971943396a" invalid: syntax error',
    is: false,
    rev: "",
    revErr: 'pseudo-version "v1.2.3-pre0.20210101080000-40971943396a" invalid: syntax error',
    time: "",
    timeErr: 'pseudo-version "v1.2.3-pre0.20210101080000-40971943396a" invalid: syntax error',
    v: "v1.2.3-pre0.20210101080000-40971943396a",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "v0.4.0-0.20220101000000-abcdefabcdef",
    baseErr: "",
    is: true,
    rev: "2da0ba2fab62",
    revErr: "",
    time: "2022-04-04T04:04:04Z",
    timeErr: "",
    v: "v0.4.0-0.20220101000000-abcdefabcdef.0.20220404040404-2da0ba2fab62",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "",
    baseErr: "",
    is: true,
    rev: "abcdefabcdef",
    revErr: "",
    time: "2020-02-29T12:34:56Z",
    timeErr: "",
    v: "v0.0.0-20200229123456-abcdefabcdef",
    zero: false,
  },
  {
    asModuleErr: "",
    base: "",
    baseErr: "",
    is: true,
    rev: "abcdefabcdef",
    revErr: "",
    time: "",
    timeErr: 'pseudo-version "v0.0.0-19991231235960-abcdefabcdef" invalid: malformed time "19991231235960"',
    v: "v0.0.0-19991231235960-abcdefabcdef",
    zero: false,
  },
];

describe("pseudo-versions (docs/go-rules.md §2.6)", () => {
  it.each(BUILD)('builds from base "$older" at $time', ({ major, older, time, rev, pseudo }) => {
    expect(pseudoVersion(major, older, new Date(time), rev)).toBe(pseudo);
  });

  it.each(PARSE)("parses $v", (row) => {
    expect(isPseudoVersion(row.v)).toBe(row.is);
    expect(isZeroPseudoVersion(row.v)).toBe(row.zero);
    expect(errorOf(() => pseudoVersionBase(row.v))).toBe(row.baseErr);
    if (row.baseErr === "") expect(pseudoVersionBase(row.v)).toBe(row.base);
    expect(errorOf(() => pseudoVersionRev(row.v))).toBe(row.revErr);
    if (row.revErr === "") expect(pseudoVersionRev(row.v)).toBe(row.rev);
    expect(errorOf(() => pseudoVersionTime(row.v))).toBe(row.timeErr);
    expect(rfc3339(() => pseudoVersionTime(row.v))).toBe(row.time);
    let baseErr: unknown;
    try {
      pseudoVersionBase(row.v);
    } catch (e) {
      baseErr = e;
    }
    expect(baseErr === undefined ? "" : versionError("example.com/m", row.v, baseErr)).toBe(row.asModuleErr);
  });

  it("has one zero pseudo-version per major", () => {
    expect(zeroPseudoVersion("")).toBe("v0.0.0-00010101000000-000000000000");
    expect(zeroPseudoVersion("v2")).toBe("v2.0.0-00010101000000-000000000000");
  });
});
