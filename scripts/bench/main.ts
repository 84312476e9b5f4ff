// `npm run bench`: modgate on Node against the bare node:http limit, at scale,
// as a cluster, in memory, and on Workers; the module proxy's warm answers and
// cold `go mod download` (proxy.ts), and its zips on Node and in workerd
// (proxy-runtimes.ts), and a large module's cold download (proxy-large.ts). Prints tables and writes docs/benchmarks.md (keeping
// its hand-written sections) and docs/benchmarks.svg; `--smoke` is a short run that
// writes its report to a temp dir instead. Never asserts timings: exits 1 only
// when something failed to start or answered a wrong status.
//
//   tsx scripts/bench/main.ts [--duration S] [--connections C] [--rounds N]
//                             [--parts scenarios,scale,cluster,memory,workers,proxy,proxy-outage,proxy-runtimes,proxy-large]
//                             [--smoke] [--out DIR]
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, release, tmpdir, type as osType } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { configYaml, GROUP, HOST, ROOT_HIT, SCENARIOS, type Scenario } from "./configs.js";
import { startFakeGitlab } from "./fake-gitlab.js";
import { alternate } from "./load.js";
import { measureMemory, measureStartup } from "./memory.js";
import { keepHandWritten } from "./keep-sections.js";
import { markdown, SECTION, svgChart, textReport, type ClusterRow, type PairRow, type Results } from "./report.js";
import { CLI, closeClientSockets, difference, get, REPO_ROOT, startLimit, startModgate, type Recorded } from "./servers.js";
import { bundleSize, timeToFirstAnswer } from "./workers.js";
import { measureColdDownload, proxyConfigYaml, proxyScenarios, startProxyLab } from "./proxy.js";
import { measureRuntimes } from "./proxy-runtimes.js";
import { measureOutage } from "./proxy-outage.js";
import { measureLargeDownloads } from "./proxy-large.js";

const PARTS = ["scenarios", "scale", "cluster", "memory", "workers", "proxy", "proxy-outage", "proxy-runtimes", "proxy-large"] as const;
type Part = (typeof PARTS)[number];

interface Options {
  smoke: boolean;
  duration: number;
  connections: number;
  rounds: number;
  warmup: number;
  parts: Set<Part>;
  outDir: string;
  memoryRequests: number;
  /** Commits of the proxy's long-history repository, and cold download rounds. */
  historyCommits: number;
  coldRounds: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      smoke: { type: "boolean", default: false },
      duration: { type: "string" },
      connections: { type: "string" },
      rounds: { type: "string" },
      parts: { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  });
  const smoke = values.smoke ?? false;
  const number = (name: string, text: string | undefined, fallback: number) => {
    const n = text === undefined ? fallback : Number(text);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(text)}`);
    return n;
  };
  const parts = new Set((values.parts?.split(",") ?? PARTS) as Part[]);
  for (const p of parts) if (!PARTS.includes(p)) throw new Error(`unknown part ${JSON.stringify(p)}: one of ${PARTS.join(", ")}`);
  const duration = number("duration", values.duration, smoke ? 1 : 5);
  return {
    smoke,
    duration,
    connections: Math.round(number("connections", values.connections, 64)),
    rounds: Math.round(number("rounds", values.rounds, smoke ? 1 : 3)),
    warmup: smoke ? 0.25 : Math.min(2, duration),
    parts,
    // The smoke never touches docs/.
    outDir: values.out ?? (smoke ? join(tmpdir(), "modgate-bench-smoke") : join(REPO_ROOT, "docs")),
    memoryRequests: smoke ? 20_000 : 1_000_000,
    historyCommits: smoke ? 200 : 2000,
    coldRounds: smoke ? 1 : 3,
  };
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const rps = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * modgate on `configPath` against the limit replaying its answers, for each
 * scenario. Problems (a wrong status, a replay that differs) are pushed to
 * `problems` and the scenario is left out.
 */
async function measurePairs(
  configPath: string,
  scenarios: readonly Scenario[],
  o: Options,
  tmp: string,
  problems: string[],
  gitlab: { calls(): number },
): Promise<{ rows: PairRow[]; apiCalls: number }> {
  const modgate = await startModgate(configPath);
  let limit: Awaited<ReturnType<typeof startLimit>> | undefined;
  try {
    // Ask each URL twice: the first answer of the group hit comes from GitLab and fills the cache.
    const recorded: Recorded[] = [];
    for (const s of scenarios) {
      await get(modgate.url, HOST, s.path);
      const answer = await get(modgate.url, HOST, s.path);
      if (answer.status !== s.status) problems.push(`${s.name}: modgate answered ${answer.status} for ${s.path}, expected ${s.status}`);
      else recorded.push({ host: HOST, path: s.path, answer });
    }
    limit = await startLimit(recorded, join(tmp, `replay-${Date.now()}.json`));
    const ok = new Set<string>();
    for (const r of recorded) {
      const why = difference(r.answer, await get(limit.url, HOST, r.path));
      if (why === undefined) ok.add(r.path);
      else problems.push(`limit server does not replay ${r.path} exactly: ${why}`);
    }
    const callsBefore = gitlab.calls();
    const rows: PairRow[] = [];
    for (const s of scenarios.filter((x) => ok.has(x.path))) {
      const c = await alternate(
        [
          { label: "limit", url: limit.url, pid: limit.pid },
          { label: "modgate", url: modgate.url, pid: modgate.pid },
        ],
        { host: HOST, paths: [s.path], connections: o.connections, expect: s.status },
        { rounds: o.rounds, duration: o.duration, warmup: o.warmup },
      );
      problems.push(...c.problems);
      const limitRounds = c.rounds.get("limit")!;
      const modgateRounds = c.rounds.get("modgate")!;
      const row: PairRow = {
        name: s.name,
        short: s.short,
        limit: c.median.get("limit")!,
        modgate: c.median.get("modgate")!,
        limitRounds,
        modgateRounds,
        ratio: median(modgateRounds.map((m, i) => m / limitRounds[i]!)),
      };
      log(`  ${s.name}: modgate ${rps(row.modgate.rps)} req/s, limit ${rps(row.limit.rps)} req/s (${row.ratio.toFixed(2)})`);
      rows.push(row);
    }
    return { rows, apiCalls: gitlab.calls() - callsBefore };
  } finally {
    await limit?.stop();
    await modgate.stop();
  }
}

async function measureCluster(configPath: string, o: Options, problems: string[]): Promise<ClusterRow[]> {
  const cores = availableParallelism();
  const one = await startModgate(configPath, "1");
  const many = await startModgate(configPath, "auto").catch(async (err: unknown) => {
    await one.stop();
    throw err;
  });
  try {
    await sleep(1500); // the primary announces the port when the first worker listens
    for (const s of [one, many]) {
      const a = await get(s.url, HOST, ROOT_HIT.path);
      if (a.status !== ROOT_HIT.status) throw new Error(`modgate at ${s.url} answered ${a.status} for ${ROOT_HIT.path}`);
    }
    const labels = ["--workers 1", `--workers auto (${cores})`] as const;
    const c = await alternate(
      [
        { label: labels[0], url: one.url, pid: one.pid },
        { label: labels[1], url: many.url },
      ],
      { host: HOST, paths: [ROOT_HIT.path], connections: o.connections, expect: ROOT_HIT.status },
      { rounds: o.rounds, duration: o.duration, warmup: o.warmup },
    );
    problems.push(...c.problems);
    return labels.map((l) => ({ workers: l, m: c.median.get(l)!, rounds: c.rounds.get(l)! }));
  } finally {
    await many.stop();
    await one.stop();
  }
}

async function main(): Promise<number> {
  const began = performance.now();
  const o = options();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const tmp = mkdtempSync(join(tmpdir(), "modgate-bench-"));
  const gitlab = await startFakeGitlab(GROUP);
  const problems: string[] = [];
  const autocannonVersion = (JSON.parse(readFileSync(join(REPO_ROOT, "node_modules/autocannon/package.json"), "utf8")) as { version: string }).version;
  const results: Results = {
    meta: {
      date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      cores: availableParallelism(),
      cpu: cpus()[0]?.model ?? "unknown CPU",
      node: process.version,
      os: `${osType()} ${release()}`,
      autocannon: autocannonVersion,
      duration: o.duration,
      connections: o.connections,
      rounds: o.rounds,
      warmup: o.warmup,
      smoke: o.smoke,
      command: o.smoke ? "npm run bench:smoke" : ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
    },
    scenarios: [],
    scale: [],
    cluster: [],
    startups: [],
    bundles: [],
    starts: [],
    proxy: [],
    problems,
  };
  // The Node parts run with the module proxy on, as `npm start`'s config has it: the go-get hot path
  // must keep its speed with the proxy's routes in front of it (issue 10). The Worker part keeps it off.
  const config = (modules: number, proxy = true) => {
    const file = join(tmp, `modgate-${modules}${proxy ? "" : "-no-proxy"}.yaml`);
    if (!existsSync(file)) writeFileSync(file, configYaml(modules, gitlab.url, proxy ? join(tmp, "store") : undefined));
    return file;
  };
  const part = async (name: Part, run: () => Promise<void>) => {
    if (!o.parts.has(name)) return;
    log(`${name} ...`);
    const t = performance.now();
    try {
      await run();
    } catch (err) {
      problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    log(`${name} took ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };

  try {
    await part("scenarios", async () => {
      const { rows, apiCalls } = await measurePairs(config(500), SCENARIOS, o, tmp, problems, gitlab);
      results.scenarios = rows;
      results.apiCallsWhileMeasuring = apiCalls;
    });
    await part("scale", async () => {
      for (const modules of [5, 5000]) {
        const { rows } = await measurePairs(config(modules), [ROOT_HIT], o, tmp, problems, gitlab);
        if (rows[0]) results.scale.push({ modules, row: rows[0] });
      }
      const at500 = results.scenarios.find((r) => r.name === ROOT_HIT.name);
      if (at500) results.scale.splice(1, 0, { modules: 500, row: at500 });
    });
    await part("cluster", async () => {
      results.cluster = await measureCluster(config(500), o, problems);
    });
    await part("memory", async () => {
      const group = SCENARIOS.find((s) => s.path.startsWith("/oss"))!;
      results.memory = await measureMemory({
        configPath: config(5000),
        modules: 5000,
        requests: o.memoryRequests,
        connections: o.connections,
        warmGroup: async (url) => {
          const a = await get(url, HOST, group.path);
          if (a.status !== 200) throw new Error(`group hit answered ${a.status}`);
        },
      });
      if (results.memory.problem) problems.push(`memory: ${results.memory.problem}`);
      for (const modules of [5, 500, 5000]) results.startups.push(await measureStartup(config(modules), modules));
    });
    await part("workers", async () => {
      const example = join(REPO_ROOT, "config/modgate.yaml");
      const exampleModules = (readFileSync(example, "utf8").match(/^\s*- path:/gm) ?? []).length;
      // The example config goes last, so dist/worker is left as `npm run build:worker` makes it.
      const configs = [
        ...(o.smoke ? [] : [{ file: config(500, false), label: "bench config", modules: 500 }]),
        { file: example, label: "config/modgate.yaml", modules: exampleModules },
      ];
      for (const c of configs) {
        const b = await bundleSize(c.file, c.label, c.modules);
        results.bundles.push(b);
        if (b.problem) problems.push(`workers: ${b.problem}`);
        const s = await timeToFirstAnswer(c.file, c.label, c.modules);
        results.starts.push(s);
        if (s.problem) problems.push(`workers: ${s.problem}`);
      }
    });
    await part("proxy", async () => {
      const lab = await startProxyLab(o.historyCommits);
      try {
        const version = lab.repo.tags.at(-1)!;
        const file = join(tmp, "modgate-proxy.yaml");
        writeFileSync(file, proxyConfigYaml(lab.lab.url, join(tmp, "proxy-store")));
        // The first request builds each answer (the zip from GitLab), the rest come from the store.
        const { rows, apiCalls } = await measurePairs(file, proxyScenarios(version), o, tmp, problems, lab);
        results.proxy = rows;
        results.proxyApiCallsWhileMeasuring = apiCalls;
        // A tag (direct mode fetches it shallowly), @latest, and a commit on no tag by its short hash (direct
        // mode fetches the whole history, then finds the pseudo-version's base tag in it).
        for (const query of [version, "latest", lab.repo.untaggedCommit.slice(0, 12)]) {
          const cold = await measureColdDownload(lab, tmp, query, o.coldRounds);
          (results.cold ??= []).push(cold);
          if (cold.problem) problems.push(`proxy: ${cold.problem}`);
          log(`  cold ${query}: ${cold.runs.map((r) => `${r.mode} ${r.seconds.toFixed(2)} s`).join(", ")}`);
        }
      } finally {
        await lab.close();
      }
    });
    await part("proxy-outage", async () => {
      results.outage = await measureOutage({ duration: o.duration, connections: o.connections, tmp }, problems, log);
    });
    await part("proxy-runtimes", async () => {
      // The smoke builds one small module once: it proves the part runs, not how fast.
      results.runtimes = await measureRuntimes(
        {
          sizes: o.smoke ? [0.25] : [1, 10],
          coldBuilds: o.smoke ? 1 : 3,
          warmDownloads: o.smoke ? 2 : 5,
          load: { connections: o.connections, rounds: o.rounds, duration: o.duration, warmup: o.warmup },
          tmp,
        },
        problems,
        log,
      );
    });
    await part("proxy-large", async () => {
      // 160 MiB, the size of the largest module the proxy's issue measures; the smoke a small one, once.
      const mib = o.smoke ? 1 : 160;
      results.large = await measureLargeDownloads(
        [
          { name: `${mib} MiB of Go source`, mib, content: "source" },
          { name: `${mib} MiB incompressible`, mib, content: "random", files: 10 },
        ],
        o.coldRounds,
        tmp,
        log,
      );
      for (const r of results.large) if (r.problem) problems.push(`proxy-large: ${r.problem}`);
    });
  } finally {
    await gitlab.close();
    closeClientSockets();
    rmSync(tmp, { recursive: true, force: true });
  }

  results.totalSeconds = (performance.now() - began) / 1000;
  process.stdout.write("\n" + textReport(results));
  mkdirSync(o.outDir, { recursive: true });
  // Hand-written sections of the old report (not measured by any part) survive the rewrite.
  const mdPath = join(o.outDir, "benchmarks.md");
  const previous = existsSync(mdPath) ? readFileSync(mdPath, "utf8") : undefined;
  writeFileSync(mdPath, keepHandWritten(previous, markdown(results), Object.values(SECTION)));
  writeFileSync(join(o.outDir, "benchmarks.svg"), svgChart(results));
  process.stdout.write(`\nwrote ${join(o.outDir, "benchmarks.md")} and benchmarks.svg (${results.totalSeconds.toFixed(0)} s in all)\n`);
  if (problems.length > 0) {
    process.stderr.write(`\nbench: ${problems.length} problem(s):\n${problems.map((p) => `- ${p}`).join("\n")}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
