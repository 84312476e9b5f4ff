// The HTTP contract (cases.ts) inside workerd, through the real Worker entry.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { cases, checkResponse, toRequest } from "./cases.js";

const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;

describe("HTTP contract (Workers, workerd)", () => {
  it("runs inside workerd, not Node", () => {
    expect(navigator.userAgent).toBe("Cloudflare-Workers");
    // The Workers Cache API exists only in workerd.
    expect(typeof (globalThis as { caches?: { default?: unknown } }).caches?.default).toBe("object");
  });

  it.each(cases)("$name", async (c) => {
    await checkResponse(c, await worker.fetch(toRequest(c)));
  });
});
