// Cloudflare Workers: the size of what `npm run build:worker` bundles, and how
// long a fresh `npm run dev:worker` (wrangler + workerd) takes to give its
// first go-get answer.
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { HOST, ROOT_HIT } from "./configs.js";
import { get, REPO_ROOT, spawnGroup } from "./servers.js";

const WRANGLER_ENV = { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

export interface BundleResult {
  config: string;
  modules: number;
  /** Bytes of dist/worker/*.js, raw and gzipped together. */
  raw?: number;
  gzip?: number;
  buildSeconds?: number;
  problem?: string;
}

export async function bundleSize(configPath: string, label: string, modules: number): Promise<BundleResult> {
  const began = performance.now();
  const build = spawnGroup("npm", ["run", "build:worker"], { ...WRANGLER_ENV, MODGATE_CONFIG: configPath });
  const code = await new Promise<number | null>((resolve) => build.child.once("exit", (c) => resolve(c)));
  await build.stop();
  const buildSeconds = (performance.now() - began) / 1000;
  if (code !== 0) return { config: label, modules, problem: `npm run build:worker exited ${code}:\n${build.output()}` };
  const dir = join(REPO_ROOT, "dist/worker");
  const files = readdirSync(dir).filter((f) => f.endsWith(".js") || f.endsWith(".mjs"));
  if (files.length === 0) return { config: label, modules, problem: `no JavaScript in ${dir}` };
  const js = Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
  return { config: label, modules, raw: js.length, gzip: gzipSync(js).length, buildSeconds };
}

export interface StartResult {
  config: string;
  modules: number;
  /** From spawning `npm run dev:worker` to the first 200 answer, polled every 50 ms. */
  firstAnswerSeconds?: number;
  /** From spawning to wrangler's "Ready on" line. */
  readySeconds?: number;
  problem?: string;
}

export async function timeToFirstAnswer(configPath: string, label: string, modules: number, timeoutMs = 120_000): Promise<StartResult> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const began = performance.now();
  const dev = spawnGroup("npm", ["run", "dev:worker", "--", "--port", String(port), "--ip", "127.0.0.1"], {
    ...WRANGLER_ENV,
    MODGATE_CONFIG: configPath,
  });
  let readySeconds: number | undefined;
  const onData = () => {
    if (readySeconds === undefined && /Ready on/.test(dev.output())) readySeconds = (performance.now() - began) / 1000;
  };
  dev.child.stdout!.on("data", onData);
  dev.child.stderr!.on("data", onData);
  let exited = false;
  void dev.exited.then(() => (exited = true));
  try {
    while (performance.now() - began < timeoutMs && !exited) {
      try {
        const answer = await get(url, HOST, ROOT_HIT.path, 2000);
        if (answer.status === 200) return { config: label, modules, firstAnswerSeconds: (performance.now() - began) / 1000, readySeconds };
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    const why = exited ? "npm run dev:worker exited" : `no 200 answer within ${timeoutMs / 1000} s`;
    return { config: label, modules, problem: `${why}:\n${dev.output()}` };
  } finally {
    await dev.stop();
  }
}

/** A loopback port that was free a moment ago (wrangler must be told its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
