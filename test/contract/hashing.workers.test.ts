// modgate's hashing and checksums against known vectors inside workerd, where
// node:crypto and node:zlib come from nodejs_compat (wrangler.toml, and the
// miniflare options in vitest.workers.config.ts). The same table runs on Node:
// test/unit/hashing.test.ts.
import { describe, expect, it } from "vitest";
import { hashVectorTests } from "./hash-vectors.js";

describe("hashing and checksums (Workers, workerd)", () => {
  it("runs inside workerd, not Node", () => {
    expect(navigator.userAgent).toBe("Cloudflare-Workers");
  });

  hashVectorTests();
});
