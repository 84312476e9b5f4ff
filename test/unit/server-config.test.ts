// The server: section (Node's timeouts and connection cap, issue 9): its
// defaults, its values in milliseconds, and each problem at its file:line:col.
import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/config/problems.js";
import { DEFAULT_SERVER_LIMITS } from "../../src/config/server-limits.js";

const FILE = "server.yaml";

/**
 *   1 server:
 *   2   <section[0]>      (key at col 3, value after "key: ")
 *   3   <section[1]>
 *   n modules: …
 */
function withServer(...section: string[]): string {
  return ["server:", ...section.map((l) => "  " + l), "modules:", "  - path: go.example.com/x", "    repo: https://github.com/acme/x", ""].join("\n");
}

function problemsOf(text: string): string[] {
  try {
    compileConfig(text, FILE);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split("\n");
    throw err;
  }
  throw new Error("the config compiled");
}

describe("server:", () => {
  it("defaults to tight limits when absent", () => {
    const config = compileConfig(withServer().replace("server:\n", ""), FILE);
    expect(config.server).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1024 });
    expect(config.server).toEqual(DEFAULT_SERVER_LIMITS);
  });

  it("takes seconds (fractions too) and a connection count", () => {
    const config = compileConfig(withServer("headersTimeout: 1.5", "requestTimeout: 4", "keepAliveTimeout: 65", "maxConnections: 2"), FILE);
    expect(config.server).toEqual({ headersTimeoutMs: 1_500, requestTimeoutMs: 4_000, keepAliveTimeoutMs: 65_000, maxConnections: 2 });
  });

  it("fills in what is not written", () => {
    const config = compileConfig(withServer("maxConnections: 64"), FILE);
    expect(config.server).toEqual({ ...DEFAULT_SERVER_LIMITS, maxConnections: 64 });
  });

  it.each([
    ["headersTimeout: 0", "server.yaml:2:19: server.headersTimeout: Too small: expected number to be >0"],
    ["requestTimeout: -1", "server.yaml:2:19: server.requestTimeout: Too small: expected number to be >0"],
    ["keepAliveTimeout: ten", "server.yaml:2:21: server.keepAliveTimeout: Invalid input: expected number, received string"],
    ["maxConnections: 1.5", "server.yaml:2:19: server.maxConnections: Invalid input: expected int, received number"],
    ["maxConnections: 0", "server.yaml:2:19: server.maxConnections: Too small: expected number to be >=1"],
  ])("%s → %s", (line, message) => {
    expect(problemsOf(withServer(line))).toEqual([message]);
  });

  it("names a misspelt key and the one meant", () => {
    expect(problemsOf(withServer("headerTimeout: 5"))).toEqual(['server.yaml:2:3: unknown key "headerTimeout" in server: did you mean headersTimeout?']);
  });

  it("refuses a headers timeout longer than the request timeout, at the field written", () => {
    expect(problemsOf(withServer("requestTimeout: 5", "headersTimeout: 20"))).toEqual([
      "server.yaml:3:19: server.headersTimeout (20 s) is longer than server.requestTimeout (5 s): the headers are part of the request; make requestTimeout at least headersTimeout",
    ]);
    // Only requestTimeout written, below the default headers timeout: point at it.
    expect(problemsOf(withServer("requestTimeout: 5"))).toEqual([
      "server.yaml:2:19: server.headersTimeout (10 s) is longer than server.requestTimeout (5 s): the headers are part of the request; make requestTimeout at least headersTimeout",
    ]);
  });

  it("reports server: problems together with the others of the file", () => {
    const problems = problemsOf(withServer("maxConnections: 0").replace("repo: https://github.com/acme/x", "repo: ftp://x"));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^server\.yaml:2:19: server\.maxConnections/);
    expect(problems[1]).toMatch(/^server\.yaml:5:/);
  });
});
