// Nothing an answer does may throw out of the node:http listener (issue 9):
// a header value node:http refuses, on the synchronous path (a literal rule)
// or the promise path (a group rule), becomes a 500 and one stderr line, and
// the server goes on answering. A real node:http server on loopback; an
// exception escaping the listener would fail this run as an uncaught error.
import { createServer, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { DiscoveredRule } from "../../src/core/discovered-rule.js";
import { Router } from "../../src/core/router.js";
import { Rule } from "../../src/core/rule.js";
import { Metrics } from "../../src/node/metrics.js";
import { createRequestListener, type AccessLogEntry } from "../../src/node/request-listener.js";
import { httpRequest } from "../e2e/harness/http-request.js";
import { closeServer, listenLoopback, LOOPBACK } from "../e2e/harness/net.js";
import { compiledModule, handBuilt } from "./configs.js";
import type { Modgate } from "../../src/app/modgate.js";
import { modgateOf } from "../support/modgate-of.js";

/** A web URL node:http cannot put in a Location header: the config's own value, not encoded by modgate. */
const UNSENDABLE_WEB = "https://gitlab.example.com/功能";

/** A group rule that answers every path with a module whose browser link cannot be sent, or rejects. */
function fakeGroupRule(module: DiscoveredRule["module"], behaviour: "unsendable" | "reject"): DiscoveredRule {
  const unsendable = new Rule(
    compiledModule(module.pattern, { repo: `${UNSENDABLE_WEB}.git`, gitlab: { web: UNSENDABLE_WEB, branch: "main" }, browser: "gitlab" }),
  ).resolve([]);
  return {
    module,
    depth: module.elements.length,
    resolve: async () => {
      if (behaviour === "reject") throw new Error("discovery bug");
      return { kind: "found", module: unsendable, rest: "x" };
    },
  };
}

function routerWith(behaviour: "unsendable" | "reject"): Modgate {
  const config = handBuilt([
    compiledModule("go.example.com/static", { repo: `${UNSENDABLE_WEB}.git`, gitlab: { web: UNSENDABLE_WEB, branch: "main" }, browser: "gitlab" }),
    compiledModule("go.example.com/group", { repo: "", group: { path: "platform/oss", transport: "https" }, browser: undefined }),
  ]);
  return modgateOf(new Router(config, { discoveredRule: (m) => fakeGroupRule(m, behaviour) }));
}

let server: Server;
let url: string;
let router: Modgate;
const logged: AccessLogEntry[] = [];
const stderr: string[] = [];

beforeAll(async () => {
  router = routerWith("unsendable");
  server = createServer(createRequestListener({ modgate: () => router, metrics: new Metrics(), stopping: () => false, accessLog: (e) => logged.push(e) }));
  url = `http://${LOOPBACK}:${await listenLoopback(server)}`;
});

afterAll(async () => {
  await closeServer(server);
});

afterEach(() => {
  vi.restoreAllMocks();
  logged.length = 0;
  stderr.length = 0;
});

function captureStderr(): void {
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
}

async function expectStillServing(): Promise<void> {
  const health = await httpRequest(url, { path: "/-/healthz" });
  expect(health.status).toBe(200);
  expect(health.body.toString()).toBe("ok\n");
}

describe("an answer node:http refuses to write", () => {
  it.each([
    ["a literal rule (synchronous path)", "/static/pkg"],
    ["a group rule (promise path)", "/group/pkg"],
  ])("%s: 500, one stderr line, and the server answers the next request", async (_, path) => {
    captureStderr();
    const res = await httpRequest(url, { path, host: "go.example.com" });
    expect(res.status).toBe(500);
    expect(res.body.toString()).toBe("internal error\n");
    expect(res.headers.location).toBeUndefined();
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(
      new RegExp(`^modgate: internal error writing a 302 answer to "${path}": TypeError: Invalid character in header content \\["Location"\\]\\n$`),
    );
    // The access log records what was sent, not what was meant.
    expect(logged.map((e) => e.status)).toEqual([500]);
    await expectStillServing();
  });
});

describe("a rejected answer", () => {
  it("is a 500 and one stderr line", async () => {
    router = routerWith("reject");
    try {
      captureStderr();
      const res = await httpRequest(url, { path: "/group/pkg", host: "go.example.com" });
      expect(res.status).toBe(500);
      expect(stderr).toEqual(['modgate: internal error answering "/group/pkg": Error: discovery bug\n']);
      await expectStillServing();
    } finally {
      router = routerWith("unsendable");
    }
  });
});
