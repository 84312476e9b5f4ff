// The Worker (workerd via `npm run dev:worker`) and the Node server, on the
// same config, must give the same answers: status, the headers that matter,
// and the body bytes.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest, REPO_ROOT, startModgateNode, startModgateWorker, type RunningModgate } from "./harness/index.js";

const CONFIG = join(REPO_ROOT, "config/modgate.yaml");

/** Headers whose values clients act on; transport headers (Date, Transfer-Encoding…) differ by design. */
const COMPARED_HEADERS = ["content-type", "cache-control", "location", "allow", "content-security-policy", "x-content-type-options", "referrer-policy"];

const REQUESTS: Array<{ method?: string; host: string; path: string }> = [
  { host: "go.example.com", path: "/tools?go-get=1" },
  { host: "go.example.com", path: "/tools/cmd/lint/internal?go-get=1" },
  { host: "go.example.com", path: "/tools/v2?go-get=1" },
  { host: "go.example.com", path: "/libs/strutil/sub?go-get=1" },
  { host: "go.example.com", path: "/sdk?go-get=1" },
  { host: "go.other.org", path: "/x/y?go-get=1" },
  { host: "GO.EXAMPLE.COM:443", path: "/tools?go-get=1" },
  { host: "go.example.com", path: "/tools/pkg" },
  { host: "go.example.com", path: "/libs/strutil" },
  { host: "go.other.org", path: "/x" },
  { host: "go.example.com", path: "/" },
  { host: "go.example.com", path: "/?go-get=1" },
  { host: "go.example.com", path: "/toolsx?go-get=1" },
  { host: "unknown.example.net", path: "/tools?go-get=1" },
  { host: "go.example.com", path: "/a%2Fb?go-get=1" },
  { host: "go.example.com", path: "/.hidden?go-get=1" },
  // Dot segments: workerd normalises the URL before the Worker sees it; Node must answer alike.
  { host: "go.example.com", path: "/tools/../libs/foo?go-get=1" },
  { host: "go.example.com", path: "/libs/x/%2e%2e/y/z?go-get=1" },
  { host: "go.example.com", path: "/tools/./pkg" },
  { host: "go.example.com", path: "/" + "a/".repeat(600) + "z" },
  { host: "go.example.com", path: "/-/healthz" },
  { host: "go.example.com", path: "/-/nothing" },
  { method: "POST", host: "go.example.com", path: "/tools?go-get=1" },
  { method: "HEAD", host: "go.example.com", path: "/tools?go-get=1" },
];

describe("Worker and Node parity", () => {
  let node: RunningModgate;
  let worker: RunningModgate;

  beforeAll(async () => {
    [node, worker] = await Promise.all([startModgateNode(CONFIG, { MODGATE_LOG: "off" }), startModgateWorker(CONFIG)]);
  });
  afterAll(async () => {
    await Promise.allSettled([node?.close(), worker?.close()]);
  });

  it.each(REQUESTS)("$method $host$path answers the same", async (req) => {
    const [fromNode, fromWorker] = await Promise.all([httpRequest(node.url, req), httpRequest(worker.url, req)]);
    const pick = (headers: Record<string, string>) => Object.fromEntries(COMPARED_HEADERS.map((h) => [h, headers[h]]));
    expect({ status: fromWorker.status, headers: pick(fromWorker.headers) }).toEqual({
      status: fromNode.status,
      headers: pick(fromNode.headers),
    });
    expect(fromWorker.body.toString("utf8")).toBe(fromNode.body.toString("utf8"));
    // Both answered something real, not two identical failures.
    expect(fromNode.status).toBeLessThan(500);
  });
});
