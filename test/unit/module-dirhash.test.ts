// Expected values came from golang.org/x/mod v0.43.0 (= the copy vendored in go1.26.8) and go/version,
// printed by a throwaway Go program (not in the repo) and frozen here as tables.
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { goModHash, hash1, sha256Stream } from "../../src/module/dirhash.js";

/** Go's error text, or "" when the call succeeds. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

// dirhash.Hash1 over [name, content] pairs
const HASHES = [
  { err: "", files: [["go.mod", "module example.com/m.git\n"]], h1: "h1:H+A5oSNRO0pYE2LYIaKt3PIQVoFx+TQz0LoqkEl9I64=" },
  {
    err: "",
    files: [
      ["example.com/m.git@v1.0.0/go.mod", "module example.com/m.git\n"],
      ["example.com/m.git@v1.0.0/a.go", "package m\n"],
    ],
    h1: "h1:PKVvaPDHZC8u7um3eECuJ9tJvsWCyejZQQB69O59RQw=",
  },
  {
    err: "",
    files: [
      ["example.com/m.git@v1.0.0/go.mod", "module example.com/m.git\n"],
      ["example.com/m.git@v1.0.0/a.go", "package m\n"],
      ["example.com/m.git@v1.0.0/", ""],
    ],
    h1: "h1:xDO/17gq+xuDv3dLNaz5POsdBdkPRexlHFzmVa2+2fU=",
  },
  { err: "", files: [["go.mod", ""]], h1: "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=" },
  { err: "", files: [], h1: "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
  {
    err: "",
    files: [
      ["m@v1/～.txt", "a"],
      ["m@v1/😀.txt", "b"],
      ["m@v1/Z", "c"],
      ["m@v1/a", "d"],
      ["m@v1/é", "e"],
    ],
    h1: "h1:QvO5YeHkbWNEWfued6HG6BbtuA91C7T5WtBijsH+R90=",
  },
  { err: "dirhash: filenames with newlines are not supported", files: [["bad\nname", "x"]], h1: "" },
];

const encoder = new TextEncoder();
const hashed = (files: string[][]) => files.map(([name, content]) => ({ name: name!, sha256: sha256(encoder.encode(content!)) }));

describe("h1: hashes (docs/go-rules.md §5)", () => {
  it.each(HASHES)("hashes %j", ({ files, h1, err }) => {
    expect(errorOf(() => hash1(hashed(files)))).toBe(err);
    if (err === "") expect(hash1(hashed(files))).toBe(h1);
  });

  it("matches the rules doc's vectors", () => {
    expect(goModHash("module example.com/m.git\n")).toBe("h1:H+A5oSNRO0pYE2LYIaKt3PIQVoFx+TQz0LoqkEl9I64=");
    expect(goModHash(new Uint8Array())).toBe("h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=");
    const zip = [
      ["example.com/m.git@v1.0.0/go.mod", "module example.com/m.git\n"],
      ["example.com/m.git@v1.0.0/a.go", "package m\n"],
    ];
    expect(hash1(hashed(zip))).toBe("h1:PKVvaPDHZC8u7um3eECuJ9tJvsWCyejZQQB69O59RQw=");
    expect(hash1(hashed([...zip, ["example.com/m.git@v1.0.0/", ""]]))).toBe("h1:xDO/17gq+xuDv3dLNaz5POsdBdkPRexlHFzmVa2+2fU=");
  });

  it("streams SHA-256 in pieces to the same digest", () => {
    const bytes = encoder.encode("package m\n".repeat(1000));
    const stream = sha256Stream();
    for (let i = 0; i < bytes.length; i += 333) stream.update(bytes.subarray(i, i + 333));
    expect(stream.digest()).toEqual(sha256(bytes));
  });
});
