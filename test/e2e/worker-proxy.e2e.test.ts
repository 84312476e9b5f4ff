// The module proxy on the Worker (issue 12), from outside: `npm run dev:worker`
// (workerd, no R2 binding in wrangler.toml, so the Cache API store) and
// `modgate serve` on Node, same config and same GitLab stand-in:
// - parity: every proxy answer the same — status, the headers clients act on,
//   and the body bytes, zips included;
// - the real go command through the Worker (GOPROXY=<worker>) gets the h1
//   sums that GOPROXY=direct gets through go-import answers and git.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGoEnv,
  makeTempDir,
  removeDir,
  requireTools,
  startForwardProxy,
  startModgateNode,
  startModgateWorker,
  type ForwardProxy,
  type GoEnv,
  type RunningModgate,
} from "./harness/index.js";
import { LAB_HOST, startWorkerProxyLab, type WorkerProxyLab } from "./harness/worker-proxy-lab.js";

/**
 * Headers whose values clients act on; transport headers (Date, Transfer-Encoding…) differ by design.
 * Content-Length too: wrangler dev's local proxy re-chunks the Worker's answers; the body bytes are compared.
 */
const COMPARED_HEADERS = ["content-type", "cache-control", "www-authenticate", "retry-after", "x-content-type-options"];

type Who = "none" | "reader" | "guest" | "wrong";
const REQUESTS: Array<{ path: string; who?: Who }> = [
  { path: `/${LAB_HOST}/pub/@v/list` },
  { path: `/${LAB_HOST}/pub/@v/v1.0.0.info` },
  { path: `/${LAB_HOST}/pub/@v/v1.1.0.info` },
  { path: `/${LAB_HOST}/pub/@v/v1.0.0.mod` },
  { path: `/${LAB_HOST}/pub/@v/v1.0.0.zip` },
  { path: `/${LAB_HOST}/pub/@v/v1.1.0.zip` },
  // The second time from the store on both sides.
  { path: `/${LAB_HOST}/pub/@v/v1.1.0.zip` },
  { path: `/${LAB_HOST}/pub/@latest` },
  { path: `/${LAB_HOST}/pub/@v/main.info` },
  { path: `/${LAB_HOST}/pub/@v/v9.9.9.info` },
  { path: `/${LAB_HOST}/pub/@v/v1.1.zip` },
  { path: `/${LAB_HOST}/gone/@v/list` },
  { path: `/${LAB_HOST}/nothing/@v/list` },
  { path: `/${LAB_HOST}/Pub/@v/list` },
  { path: "/sumdb/sum.golang.org/supported" },
  { path: `/${LAB_HOST}/priv/@v/list`, who: "none" },
  { path: `/${LAB_HOST}/priv/@v/list`, who: "wrong" },
  { path: `/${LAB_HOST}/priv/@v/v0.1.0.info`, who: "guest" },
  { path: `/${LAB_HOST}/priv/@v/list`, who: "reader" },
  { path: `/${LAB_HOST}/priv/@v/v0.1.0.mod`, who: "reader" },
  { path: `/${LAB_HOST}/priv/@v/v0.1.0.zip`, who: "reader" },
];

describe.skipIf(!requireTools("go", "git", "git-http-backend"))("the module proxy on the Worker", () => {
  let lab: WorkerProxyLab;
  let node: RunningModgate;
  let worker: RunningModgate;
  let dir: string;

  beforeAll(async () => {
    lab = await startWorkerProxyLab("glpat-worker-proxy-e2e");
    dir = await makeTempDir("worker-proxy");
    const configPath = join(dir, "modgate.yaml");
    // The token a reference on both sides: Node reads it from its env, the Worker from a secret.
    // cacheDir: Node's store, fresh per run (the Worker ignores it).
    await writeFile(configPath, lab.config("${GITLAB_TOKEN}", `  cacheDir: ${join(dir, "node-store")}\n`));
    [node, worker] = await Promise.all([
      startModgateNode(configPath, { MODGATE_LOG: "off", GITLAB_TOKEN: lab.token }),
      // Its own local state: wrangler dev keeps the Cache API (the store without R2) across runs.
      startModgateWorker(configPath, {}, { GITLAB_TOKEN: lab.token }, ["--persist-to", join(dir, "wrangler-state")]),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([node?.close(), worker?.close()]);
    await Promise.allSettled([lab?.close(), dir && removeDir(dir)]);
  });

  const ask = async (base: string, path: string, who: Who = "none") => {
    const password = who === "reader" ? lab.token : who === "guest" ? lab.guestToken : who === "wrong" ? "glpat-wrong" : undefined;
    const headers: Record<string, string> = password === undefined ? {} : { authorization: `Basic ${Buffer.from(`u:${password}`).toString("base64")}` };
    const response = await fetch(base + path, { headers, redirect: "manual" });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: Object.fromEntries(COMPARED_HEADERS.map((h) => [h, response.headers.get(h)])), body };
  };

  describe("parity with Node", () => {
    it.each(REQUESTS)("$path ($who)", async ({ path, who }) => {
      const fromNode = await ask(node.url, path, who);
      const fromWorker = await ask(worker.url, path, who);
      expect({ status: fromWorker.status, headers: fromWorker.headers }).toEqual({ status: fromNode.status, headers: fromNode.headers });
      expect(
        fromWorker.body.equals(fromNode.body),
        `worker: ${fromWorker.body.subarray(0, 300).toString("latin1")}\nnode: ${fromNode.body.subarray(0, 300).toString("latin1")}`,
      ).toBe(true);
      // Two identical failures prove nothing.
      expect(fromNode.status).toBeLessThan(500);
    });
  });

  describe("the go command through the Worker", () => {
    let forward: ForwardProxy;
    let direct: GoEnv;
    let viaWorker: GoEnv;
    beforeAll(async () => {
      // Direct mode: go-import answers from modgate on Node, code from the stand-in's git.
      forward = await startForwardProxy({ defaultUpstream: node.url });
      direct = await createGoEnv({ proxyUrl: forward.url, insecure: [LAB_HOST] });
      viaWorker = await createGoEnv({ env: { GOPROXY: worker.url } });
    });
    afterAll(async () => {
      await Promise.allSettled([forward?.close(), direct?.close(), viaWorker?.close()]);
    });

    it.each(["v1.0.0", "v1.1.0", "latest", "main"])(`go mod download -json ${LAB_HOST}/pub@%s: the h1 sums of GOPROXY=direct`, async (query) => {
      const [d, w] = await Promise.all([direct.goModDownload(`${LAB_HOST}/pub@${query}`), viaWorker.goModDownload(`${LAB_HOST}/pub@${query}`)]);
      expect(d.info?.Error, d.stderr).toBeUndefined();
      expect(d.info?.Sum).toMatch(/^h1:/);
      expect(
        { Version: w.info?.Version, Sum: w.info?.Sum, GoModSum: w.info?.GoModSum },
        `worker: ${w.stdout}${w.stderr}\n${worker.output().slice(-2000)}`,
      ).toEqual({ Version: d.info?.Version, Sum: d.info?.Sum, GoModSum: d.info?.GoModSum });
    });

    it("go list -m -versions through the Worker equals direct mode", async () => {
      const [d, w] = await Promise.all([
        direct.go(["list", "-m", "-versions", `${LAB_HOST}/pub`]),
        viaWorker.go(["list", "-m", "-versions", `${LAB_HOST}/pub`]),
      ]);
      expect(w.stdout.trim(), w.stderr).toBe(d.stdout.trim());
    });
  });
});
