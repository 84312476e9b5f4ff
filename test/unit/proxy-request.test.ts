// The proxy's request paths as the go command writes them: each path goes
// through url.PathEscape with "/" kept (cmd/go/internal/modfetch/proxy.go
// pathEscape), so the "!" of the case encoding arrives as "%21".
import { describe, expect, it } from "vitest";
import { parseProxyPath } from "../../src/proxy/protocol/request.js";

describe("parseProxyPath", () => {
  it("reads the go command's percent-encoded case escapes in module paths and versions", () => {
    expect(parseProxyPath("/go.example.com/%21upper/@v/list")).toEqual({ kind: "module", modulePath: "go.example.com/Upper", endpoint: "list" });
    expect(parseProxyPath("/go.example.com/tools/@v/v1.0.0-%21r%21c1.info")).toEqual({
      kind: "module",
      modulePath: "go.example.com/tools",
      endpoint: "info",
      version: "v1.0.0-RC1",
    });
  });

  it("reads the unencoded form too", () => {
    expect(parseProxyPath("/go.example.com/!upper/@v/v1.0.0-!r!c1.zip")).toEqual({
      kind: "module",
      modulePath: "go.example.com/Upper",
      endpoint: "zip",
      version: "v1.0.0-RC1",
    });
  });

  it("refuses an escaped slash and a malformed escape", () => {
    expect(parseProxyPath("/go.example.com%2Ftools/@v/list").kind).toBe("bad");
    expect(parseProxyPath("/go.example.com/tools/@v/v1.0.0%zz.info").kind).toBe("bad");
    expect(parseProxyPath("/go.example.com/%ff/@v/list").kind).toBe("bad");
  });

  it("still refuses what the decoding reveals to be no module path", () => {
    expect(parseProxyPath("/go.example.com/%41/@v/list").kind).toBe("bad"); // "A" unescaped: upper case must be "!a"
  });

  it("answers a version or path element no file name holds as missing (404), not as a request to serve", () => {
    const long = parseProxyPath(`/go.example.com/tools/@v/v1.0.0-${"a".repeat(293)}.info`);
    expect(long).toMatchObject({ kind: "missing", endpoint: "info" });
    expect((long as { reason: string }).reason).toMatch(/invalid version: version too long \(300 bytes escaped; at most 247\)$/);
    // The escaped form counts: "!a" is two bytes of a file name.
    expect(parseProxyPath(`/go.example.com/tools/@v/v1.0.0-${"!a".repeat(120)}.zip`).kind).toBe("module"); // 247 bytes
    expect(parseProxyPath(`/go.example.com/tools/@v/v1.0.0-${"!a".repeat(120)}b.zip`).kind).toBe("missing"); // 248
    expect(parseProxyPath(`/go.example.com/${"b".repeat(255)}/@v/list`).kind).toBe("module");
    expect(parseProxyPath(`/go.example.com/${"b".repeat(256)}/@latest`)).toMatchObject({ kind: "missing", endpoint: "latest" });
  });
});
