// Memory: modgate's resident set after start and after many requests over a
// mix of hits, misses and redirects (a leak or an unbounded cache shows here).
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { HOST, memoryMix } from "./configs.js";
import { load, problem } from "./load.js";
import { startModgate } from "./servers.js";

export interface MemoryResult {
  modules: number;
  requests: number;
  seconds: number;
  /** KiB; undefined where /proc is not there. */
  rssStart?: number;
  /** After half the requests: with rssAfter, tells a plateau from steady growth. */
  rssHalfway?: number;
  rssAfter?: number;
  /** Peak resident set (VmHWM). */
  rssPeak?: number;
  distinctPaths: number;
  problem?: string;
}

/** VmRSS and VmHWM of a process in KiB, from /proc/PID/status (Linux). */
export function residentKiB(pid: number): { rss?: number; peak?: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
      return m ? Number(m[1]) : undefined;
    };
    return { rss: field("VmRSS"), peak: field("VmHWM") };
  } catch {
    return {};
  }
}

export async function measureMemory(opts: {
  configPath: string;
  modules: number;
  requests: number;
  connections: number;
  warmGroup: (url: string) => Promise<void>;
}): Promise<MemoryResult> {
  const server = await startModgate(opts.configPath);
  try {
    await sleep(1000); // let start-up garbage settle
    const start = residentKiB(server.pid);
    await opts.warmGroup(server.url);
    const paths = memoryMix(opts.modules);
    const began = performance.now();
    const half = Math.floor(opts.requests / 2);
    const first = await load({ url: server.url, host: HOST, paths, connections: opts.connections, amount: half });
    const halfway = residentKiB(server.pid);
    const second = await load({ url: server.url, host: HOST, paths, connections: opts.connections, amount: opts.requests - half });
    const seconds = (performance.now() - began) / 1000;
    const after = residentKiB(server.pid);
    return {
      modules: opts.modules,
      requests: first.requests + second.requests,
      seconds,
      rssStart: start.rss,
      rssHalfway: halfway.rss,
      rssAfter: after.rss,
      rssPeak: after.peak,
      distinctPaths: new Set(paths).size,
      problem: problem(first) ?? problem(second),
    };
  } finally {
    await server.stop();
  }
}

export interface StartupResult {
  modules: number;
  /** From spawning `modgate serve` to its "listening" line. */
  startSeconds: number;
  /** KiB, 1 s after start. */
  rss?: number;
}

/** How long modgate takes to load a config and listen, and its resident set then. */
export async function measureStartup(configPath: string, modules: number): Promise<StartupResult> {
  const began = performance.now();
  const server = await startModgate(configPath);
  const startSeconds = (performance.now() - began) / 1000;
  try {
    await sleep(1000);
    return { modules, startSeconds, rss: residentKiB(server.pid).rss };
  } finally {
    await server.stop();
  }
}
