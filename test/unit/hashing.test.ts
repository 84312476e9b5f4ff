// modgate's hashing and checksums (node:crypto, node:zlib) against known vectors, on Node.
// The same table runs inside workerd: test/contract/hashing.workers.test.ts.
import { describe } from "vitest";
import { hashVectorTests } from "../contract/hash-vectors.js";

describe("hashing and checksums (Node)", () => {
  hashVectorTests();
});
