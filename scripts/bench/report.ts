// Tables (markdown, readable on a terminal too), docs/benchmarks.md and the
// SVG chart of modgate's share of the limit.
import type { Measurement } from "./load.js";
import type { MemoryResult, StartupResult } from "./memory.js";
import type { RuntimesResults } from "./proxy-runtimes.js";
import type { BundleResult, StartResult } from "./workers.js";
import type { ColdResult } from "./proxy.js";
import type { OutageRow } from "./proxy-outage.js";
import type { LargeResult } from "./proxy-large.js";

export const GOAL = 0.9;

export interface Meta {
  date: string;
  cores: number;
  cpu: string;
  node: string;
  os: string;
  autocannon: string;
  duration: number;
  connections: number;
  rounds: number;
  warmup: number;
  smoke: boolean;
  command: string;
}

export interface PairRow {
  name: string;
  /** Short label for the chart. */
  short: string;
  limit: Measurement;
  modgate: Measurement;
  limitRounds: number[];
  modgateRounds: number[];
  /** Median over rounds of modgate's requests/s over the limit's in the same round. */
  ratio: number;
}

export interface ClusterRow {
  workers: string;
  m: Measurement;
  rounds: number[];
}

export interface Results {
  meta: Meta;
  scenarios: PairRow[];
  /** Modules in the config → the module-root hit against the limit. */
  scale: { modules: number; row: PairRow }[];
  cluster: ClusterRow[];
  memory?: MemoryResult;
  startups: StartupResult[];
  bundles: BundleResult[];
  starts: StartResult[];
  /** GitLab API calls made while the group hit was measured (should be 0: answered from cache). */
  apiCallsWhileMeasuring?: number;
  /** The module proxy's warm answers against the limit. */
  proxy: PairRow[];
  /** GitLab API calls made while the warm proxy answers were measured (should be 0). */
  proxyApiCallsWhileMeasuring?: number;
  /** Cold `go mod download` through the proxy and in direct mode, per query. */
  cold?: ColdResult[];
  /** Warm answers of a public module with GitLab up, down and hanging, its look-ups due (finding 6). */
  outage?: OutageRow[];
  /** Cold `go mod download` of a large module through the proxy and in direct mode. */
  large?: LargeResult[];
  /** Module proxy zips on Node and in workerd, and a warm private zip against a public one. */
  runtimes?: RuntimesResults;
  problems: string[];
  totalSeconds?: number;
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "n/a");
const mib = (kib: number | undefined) => (kib === undefined ? "n/a" : `${(kib / 1024).toFixed(1)} MiB`);
const kib = (bytes: number | undefined) => (bytes === undefined ? "n/a" : `${(bytes / 1024).toFixed(1)} KiB (${int(bytes)} B)`);
const cpu = (c: number | undefined) => (c === undefined ? "n/a" : c.toFixed(2));
const secs = (s: number | undefined) => (s === undefined ? "n/a" : `${s.toFixed(2)} s`);

/** A markdown table with padded columns; columns after the first are right-aligned. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |";
  const rule = "|" + widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|";
  return [line(head), rule, ...rows.map(line)].join("\n");
}

export function pairTable(rows: PairRow[], firstColumn = "scenario"): string {
  return table(
    [firstColumn, "modgate req/s", "limit req/s", "ratio", "modgate p50 ms", "limit p50 ms", "modgate p99 ms", "limit p99 ms"],
    rows.map((r) => [r.name, int(r.modgate.rps), int(r.limit.rps), r.ratio.toFixed(2), ms(r.modgate.p50), ms(r.limit.p50), ms(r.modgate.p99), ms(r.limit.p99)]),
  );
}

/** CPU the server spent per answer: steadier than requests/s when other processes take cores. */
const perRequest = (m: Measurement) => (m.serverCpu === undefined ? "n/a" : `${Math.round((m.serverCpu / m.rps) * 1e6)} µs`);

/** Requests/s of every round and the CPU each party used in the median round: how noisy a ratio is. */
export function roundsTable(rows: PairRow[]): string {
  return table(
    [
      "scenario",
      "modgate req/s per round",
      "limit req/s per round",
      "modgate CPU",
      "limit CPU",
      "server CPU per request (modgate / limit)",
      "autocannon CPU (modgate / limit)",
      "other processes (modgate / limit)",
    ],
    rows.map((s) => [
      s.name,
      s.modgateRounds.map(int).join(" · "),
      s.limitRounds.map(int).join(" · "),
      cpu(s.modgate.serverCpu),
      cpu(s.limit.serverCpu),
      `${perRequest(s.modgate)} / ${perRequest(s.limit)}`,
      `${cpu(s.modgate.loadCpu)} / ${cpu(s.limit.loadCpu)}`,
      `${cpu(s.modgate.otherCpu)} / ${cpu(s.limit.otherCpu)}`,
    ]),
  );
}

export function scaleTable(results: Results): string {
  return pairTable(
    results.scale.map((s) => ({ ...s.row, name: `${int(s.modules)} modules` })),
    "module-root hit with",
  );
}

export function clusterTable(rows: ClusterRow[]): string {
  const one = rows[0]?.m.rps ?? NaN;
  return table(
    ["modgate serve", "req/s", "vs 1 worker", "p50 ms", "p99 ms"],
    rows.map((r) => [r.workers, int(r.m.rps), (r.m.rps / one).toFixed(2), ms(r.m.p50), ms(r.m.p99)]),
  );
}

export function memoryTable(m: MemoryResult): string {
  return table(
    ["config", "requests", "distinct URLs", "took", "RSS after start", "RSS halfway", "RSS after", "peak RSS"],
    [
      [
        `${int(m.modules)} modules`,
        int(m.requests),
        int(m.distinctPaths),
        secs(m.seconds),
        mib(m.rssStart),
        mib(m.rssHalfway),
        mib(m.rssAfter),
        mib(m.rssPeak),
      ],
    ],
  );
}

export function startupTable(rows: StartupResult[]): string {
  return table(
    ["config", "start to listening", "RSS 1 s after start"],
    rows.map((s) => [`${int(s.modules)} modules`, secs(s.startSeconds), mib(s.rss)]),
  );
}

export function workersTable(results: Results): string {
  const rows = results.bundles.map((b) => {
    const s = results.starts.find((x) => x.config === b.config);
    return [`${b.config} (${int(b.modules)} modules)`, kib(b.raw), kib(b.gzip), secs(b.buildSeconds), secs(s?.readySeconds), secs(s?.firstAnswerSeconds)];
  });
  return table(["config", "bundle", "gzipped", "build:worker took", 'dev:worker "Ready on"', "first 200 answer"], rows);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Cold download: median seconds per mode and their ratio, with sizes and the calls each mode made. */
export function coldTable(rows: ColdResult[]): string {
  return table(
    [
      "go mod download",
      "direct (git) s",
      "proxy s",
      "proxy ÷ direct",
      "direct runs s",
      "proxy runs s",
      "GitLab API calls (proxy)",
      "git requests (direct)",
      "zip",
      "repository pack",
    ],
    rows.map((c) => {
      const direct = c.runs.filter((r) => r.mode === "direct");
      const proxy = c.runs.filter((r) => r.mode === "proxy");
      const d = median(direct.map((r) => r.seconds));
      const p = median(proxy.map((r) => r.seconds));
      const calls = proxy[0]
        ? `${proxy[0].apiCalls} (${Object.entries(proxy[0].byEndpoint)
            .sort()
            .map(([e, n]) => `${e} ${n}`)
            .join(", ")})`
        : "n/a";
      return [
        `@${c.query}${c.version && c.version !== c.query ? ` (${c.version})` : ""}`,
        d.toFixed(2),
        p.toFixed(2),
        (p / d).toFixed(2),
        direct.map((r) => r.seconds.toFixed(2)).join(" · "),
        proxy.map((r) => r.seconds.toFixed(2)).join(" · "),
        calls,
        direct[0] ? String(direct[0].gitRequests) : "n/a",
        kib(Number.isFinite(c.zipBytes) ? c.zipBytes : undefined),
        kib(c.packBytes),
      ];
    }),
  );
}

/** Large module: median seconds per mode and their ratio. */
export function largeTable(rows: LargeResult[]): string {
  return table(
    ["go mod download", "direct (git) s", "proxy s", "proxy ÷ direct", "direct runs s", "proxy runs s", "GitLab API calls (proxy)", "files", "zip"],
    rows.map((l) => {
      const direct = l.runs.filter((r) => r.mode === "direct");
      const proxy = l.runs.filter((r) => r.mode === "proxy");
      const d = median(direct.map((r) => r.seconds));
      const p = median(proxy.map((r) => r.seconds));
      const calls = proxy[0]
        ? `${proxy[0].apiCalls} (${Object.entries(proxy[0].byEndpoint)
            .sort()
            .map(([e, n]) => `${e} ${n}`)
            .join(", ")})`
        : "n/a";
      return [
        l.kind.name,
        d.toFixed(2),
        p.toFixed(2),
        (p / d).toFixed(2),
        direct.map((r) => r.seconds.toFixed(2)).join(" · "),
        proxy.map((r) => r.seconds.toFixed(2)).join(" · "),
        calls,
        int(l.files),
        Number.isFinite(l.zipBytes) ? `${(l.zipBytes / 1e6).toFixed(1)} MB` : "n/a",
      ];
    }),
  );
}

const mb = (bytes: number | undefined) => (bytes === undefined || bytes === 0 ? "n/a" : `${(bytes / 1e6).toFixed(2)} MB`);
const sizeName = (mib: number) => (mib < 1 ? `${mib * 1024} KiB` : `${mib} MiB`);

export function zipTable(p: RuntimesResults): string {
  return table(
    ["module source", "runtime", "GitLab archive", "zip", "cold (median)", "cold runs", "cold CPU (median)", "warm (median)", "warm runs"],
    p.zips.map((z) => [
      sizeName(z.sourceMiB),
      z.runtime,
      mb(z.archiveBytes),
      mb(z.zipBytes),
      secs(median(z.cold)),
      z.cold.map((s) => s.toFixed(2)).join(" · "),
      secs(median(z.coldCpu)),
      `${median(z.warm).toFixed(0)} ms`,
      z.warm.map((s) => s.toFixed(0)).join(" · "),
    ]),
  );
}

export function privateTable(w: NonNullable<RuntimesResults["privateWarm"]>): string {
  return table(
    ["warm zip", "req/s", "req/s per round", "p50 ms", "p99 ms", "server CPU", "server CPU per request"],
    [
      ["public", int(w.public.rps), w.publicRounds.map(int).join(" · "), ms(w.public.p50), ms(w.public.p99), cpu(w.public.serverCpu), perRequest(w.public)],
      [
        "private (decision remembered)",
        int(w.private.rps),
        w.privateRounds.map(int).join(" · "),
        ms(w.private.p50),
        ms(w.private.p99),
        cpu(w.private.serverCpu),
        perRequest(w.private),
      ],
    ],
  );
}

/** Everything for the terminal. */
export function outageTable(rows: OutageRow[]): string {
  return table(
    ["GitLab", "answer", "req/s", "p50 ms", "p99 ms", "server CPU", "other statuses"],
    rows.map((r) => [
      r.gitlab,
      r.what,
      int(r.m.rps),
      ms(r.m.p50),
      ms(r.m.p99),
      cpu(r.m.serverCpu),
      Object.entries(r.m.wrong)
        .map(([s, n]) => `${s}: ${n}`)
        .join(", ") || "none",
    ]),
  );
}

export function textReport(r: Results): string {
  const parts: string[] = [];
  if (r.scenarios.length > 0)
    parts.push(
      `Scenarios (500 modules; median of ${r.meta.rounds} round(s) of ${r.meta.duration} s, ${r.meta.connections} connections)\n\n${pairTable(r.scenarios)}`,
    );
  if (r.scale.length > 0) parts.push(`Scale\n\n${scaleTable(r)}`);
  if (r.cluster.length > 0) parts.push(`Cluster\n\n${clusterTable(r.cluster)}`);
  if (r.memory) parts.push(`Memory\n\n${memoryTable(r.memory)}`);
  if (r.startups.length > 0) parts.push(`Start-up\n\n${startupTable(r.startups)}`);
  if (r.bundles.length > 0) parts.push(`Workers\n\n${workersTable(r)}`);
  if (r.proxy.length > 0) parts.push(`Module proxy, warm\n\n${pairTable(r.proxy)}`);
  if (r.cold && r.cold.length > 0) parts.push(`Module proxy, cold download\n\n${coldTable(r.cold)}`);
  if (r.outage && r.outage.length > 0) parts.push(`Module proxy while GitLab fails\n\n${outageTable(r.outage)}`);
  if (r.large && r.large.length > 0) parts.push(`Module proxy, cold download of a large module\n\n${largeTable(r.large)}`);
  if (r.runtimes && r.runtimes.zips.length > 0) parts.push(`Module proxy zips\n\n${zipTable(r.runtimes)}`);
  if (r.runtimes?.privateWarm) parts.push(`Private zip, warm (ratio ${r.runtimes.privateWarm.ratio.toFixed(2)})\n\n${privateTable(r.runtimes.privateWarm)}`);
  return parts.join("\n\n") + "\n";
}

/**
 * The headings of the sections markdown() writes. Any other `## ` section of
 * docs/benchmarks.md is hand-written (e.g. the Worker zip sizes measured with
 * scripts/bench/worker-zip-sizes.ts) and main.ts keeps it (keep-sections.ts):
 * a heading listed here is the generator's, and its old text is replaced.
 */
export const SECTION = {
  scenarios: "Scenarios",
  scale: "Scale",
  cluster: "Cluster",
  memory: "Memory",
  workers: "Workers",
  proxy: "Module proxy",
  outage: "Module proxy while GitLab fails (finding 6)",
  large: "Module proxy: a large module, cold",
  runtimesZips: "Module proxy zips: Node and Worker (issue 12)",
  runtimesPrivate: "Private zip, warm, against public (Node, issue 11's goal)",
  problems: "Problems",
} as const;

export function markdown(r: Results): string {
  const m = r.meta;
  const out: string[] = [];
  out.push(
    "# Benchmarks",
    "",
    `Generated by \`${m.command}\` (scripts/bench/) on ${m.date}${r.totalSeconds !== undefined ? `; the whole run took ${r.totalSeconds.toFixed(0)} s` : ""}. Do not edit: run it again.`,
    "",
    `- Machine: ${m.cores} cores (\`os.availableParallelism()\`), ${m.cpu}, ${m.os}`,
    `- Node ${m.node}; load generator autocannon ${m.autocannon}, run inside the benchmark's own Node process`,
    `- Each measurement: ${m.duration} s at ${m.connections} connections, keep-alive, no pipelining; ${m.rounds} round(s) per server, alternating limit and modgate after a ${m.warmup} s warm-up of each; the round with the median requests/s is shown, and the ratio is the median over rounds of modgate's requests/s over the limit's in the same round`,
    "- **The limit** is a bare `node:http` server (scripts/bench/limit-server.mjs) that replays, for each URL, the exact status, headers and body modgate answered (checked byte for byte, Date aside, before measuring). A ratio of 1.00 means modgate costs nothing over writing those bytes.",
    `- **Note:** autocannon shares the ${m.cores} cores with the servers it measures: one core drives the load while the server under test has the other, so absolute figures are lower than on a dedicated client, and the cluster figures (where the workers and autocannon compete for the same cores) understate what more cores would give. Compare ratios, not absolute numbers, across machines.`,
    "- Latencies are measured per response at 10 µs resolution. Timings are never asserted: this is a report, not a test (CI runs `npm run bench:smoke`).",
    "",
  );
  const others = r.scenarios.flatMap((s) => [s.modgate.otherCpu, s.limit.otherCpu]).filter((c): c is number => c !== undefined);
  const otherMean = others.length > 0 ? others.reduce((a, b) => a + b, 0) / others.length : 0;
  if (otherMean >= 0.1) {
    out.push(
      `> **Disturbed run:** other processes used ${otherMean.toFixed(2)} of the ${m.cores} cores on average while the scenarios were measured (see the CPU table below), so absolute figures are low and ratios noisy. Run it again on a quiet machine.`,
      "",
    );
  }
  if (r.scenarios.length > 0) {
    out.push(
      `## ${SECTION.scenarios}`,
      "",
      `modgate (\`modgate serve\`, 1 process, access log off) on a generated config of 500 modules with the module proxy on (\`proxy.enabled: true\`, as \`npm start\`'s config has it: every request passes the proxy's route check first; the scale, cluster and memory parts use the same configs, the Workers part has the proxy off): literal modules on two hosts, three \`{name}\` templates and a \`group:\` rule whose project was looked up once before measuring and is answered from the cache${r.apiCallsWhileMeasuring !== undefined ? ` (GitLab API calls while measuring: ${r.apiCallsWhileMeasuring})` : ""}. Goal: every hit at ≥ ${GOAL.toFixed(2)} of the limit, p99 < 5 ms.`,
      "",
      pairTable(r.scenarios),
      "",
      "![modgate requests/s as a share of the bare node:http limit](benchmarks.svg)",
      "",
      "Requests/s of every round, and the CPU (in cores: 1.00 = one core busy throughout) the server, autocannon and everything else on the machine used in the median round, and the server's CPU per answer in that round (steadier than requests/s when other processes take cores). A server well below 1.00 was waiting for the load generator or for a core taken by other processes:",
      "",
      roundsTable(r.scenarios),
      "",
    );
  }
  if (r.scale.length > 0) {
    out.push(
      `## ${SECTION.scale}`,
      "",
      "The module-root hit (`/tools?go-get=1`) with configs of different sizes: per-request cost must not grow with the config.",
      "",
      scaleTable(r),
      "",
    );
  }
  if (r.cluster.length > 0) {
    out.push(
      `## ${SECTION.cluster}`,
      "",
      `The module-root hit against \`modgate serve --workers 1\` and \`--workers auto\` (${m.cores} workers on this machine), measured alternately. With ${m.cores} cores and autocannon taking one of them, more workers compete with the load generator for CPU: this shows the mechanism works, not how it scales on a larger machine.`,
      "",
      clusterTable(r.cluster),
      "",
    );
  }
  if (r.memory) {
    out.push(
      `## ${SECTION.memory}`,
      "",
      `Resident set (VmRSS from /proc) of one modgate process with the ${int(r.memory.modules)}-module config, 1 s after start, halfway and after ${int(r.memory.requests)} requests cycling through ${int(r.memory.distinctPaths)} URLs (hits on literal modules and their packages, template hits with distinct names, misses, redirects, the cached group hit).`,
      "",
      memoryTable(r.memory),
      "",
    );
  }
  if (r.startups.length > 0) {
    out.push(
      'Start-up by config size: from spawning `modgate serve` (Node, 1 process) to its "listening" line, and the resident set 1 s later.',
      "",
      startupTable(r.startups),
      "",
    );
  }
  if (r.bundles.length > 0) {
    out.push(
      `## ${SECTION.workers}`,
      "",
      '`npm run build:worker` output (dist/worker/*.js, gzipped together), and a fresh `npm run dev:worker` (wrangler dev with workerd, local): time from spawning it to wrangler\'s "Ready on" line and to the first 200 answer to `/tools?go-get=1`, polled every 50 ms. The start time includes wrangler compiling the config and bundling.',
      "",
      workersTable(r),
      "",
    );
  }
  if (r.proxy.length > 0 || (r.cold && r.cold.length > 0)) {
    const c = r.cold?.[0];
    out.push(
      `## ${SECTION.proxy}`,
      "",
      `modgate with \`proxy.enabled\` serving one public GitLab project through the GitLab stand-in (test/e2e/harness/gitlab-stand-in.ts: GitLab's REST API and git smart HTTP from a bare repository on disk)${c ? `: a module at the root of a repository with ${int(c.commits)} commits (${int(c.files)} files, each commit changes one; a tag every 100 commits; generated by scripts/bench/long-history.ts)` : ""}.`,
      "",
    );
  }
  if (r.proxy.length > 0) {
    out.push(
      `**Warm answers**, same method as the scenarios above: the newest tag's \`.info\`, \`.mod\` and \`.zip\` were built once (GitLab's archive, checked and rebuilt as the go command builds it) and are stored in the content store (\`proxy.cacheDir\`, on disk); the version list comes from the list cache${r.proxyApiCallsWhileMeasuring !== undefined ? ` (GitLab API calls while measuring: ${r.proxyApiCallsWhileMeasuring})` : ""}. The limit replays the same bytes from memory. Goal: ≥ ${GOAL.toFixed(2)} of the limit.`,
      "",
      "Stored answers are kept in memory once read (src/proxy/cache/stored-answers.ts: an LRU of at most 32 MiB holding `.info`, `.mod` and zips up to 1 MiB; larger zips are streamed from disk on every request), the module's location and project for `proxy.listTtl`, and the access decision is made on every request. Reading the store on every request (stat, open, read, close) held modgate at about 0.2 of the limit for `.info` and `.mod` before that. A warm answer is found synchronously (service.ts `handle`): the clock is read once per answer (`Date.now()` costs ~0.1 µs on this machine), store keys are kept per version (escaping the version was most of a warm `.info`'s own cost), the LRU does not reorder its newest entry, and version files skip the go-get memo, which never holds them. On a busy machine, compare the server CPU per answer in the rounds table rather than requests/s.",
      "",
      pairTable(r.proxy),
      "",
      roundsTable(r.proxy),
      "",
    );
  }
  if (r.cold && r.cold.length > 0) {
    out.push(
      `**Cold download**: \`go mod download -json\` with a fresh module cache each run (GOSUMDB=off, GOFLAGS=-modcacherw), ${r.cold[0]!.runs.length / 2} run(s) per mode, alternating. *direct*: GOPROXY=direct, modgate's go-import answer (through a forward proxy, GOINSECURE for the vanity host), then git over smart HTTP (git http-backend) from the stand-in. *proxy*: GOPROXY=modgate, a freshly started modgate with an empty store each run (warmed up on another small module first, so the process's own start-up is not counted), which asks the stand-in's REST API: independent calls at once (a tag and the commit its name resolves to, go.mod as soon as the commit is known, the .gitattributes with the archive), and the version's zip build starts with its cold \`.info\`, so the \`.zip\` request joins it (src/proxy/cache/caching-repo.ts). Both must compute the same \`h1:\` sum. Seconds are the median run; wall time of the go command only (modgate's start is not counted).`,
      "",
      coldTable(r.cold),
      "",
      "For a tag the go command fetches only that commit (\`git fetch --depth=1\`, codehost/git.go), so the history's length costs direct mode nothing; for a commit on no tag (the hash row) it fetches every branch and tag with their whole history, then looks for the pseudo-version's base tag in it, where the proxy asks GitLab for merge bases. Doubts: the stand-in answers from the local disk with the git CLI, so both modes see no network latency and none of GitLab's own cost; on a real GitLab each REST call and each git round trip costs tens of milliseconds more, and a clone of a large history costs GitLab CPU the archive does not. The zip column is the go command's module zip; the pack is the whole repository's objects (`git count-objects -v` size-pack after `git gc`).",
      "",
    );
  }
  if (r.outage && r.outage.length > 0) {
    out.push(
      `## ${SECTION.outage}`,
      "",
      `A public module's stored \`.info\` and its list through \`modgate serve\` (disk store) while the GitLab stand-in answers (*up*), answers 500 to every API call (*down*) or accepts calls and never answers (*hanging*; gitlab.apiTimeout 10 s). proxy.listTtl is 1 s, so the module's look-up and its list are due throughout: with GitLab failing the last good ones answer at once (stale lists with \`Cache-Control: no-cache\`) while one look-up at a time goes on in the background (src/proxy/modules.ts find(), lib/expiring.ts read()). Same load as the scenarios (${r.meta.connections} connections, ${r.meta.duration} s, one round). Before this, every request waited on the due look-up (the issue's figures: 5,252 req/s up, 5 down, 0 hanging).`,
      "",
      outageTable(r.outage),
      "",
    );
  }
  if (r.large && r.large.length > 0) {
    out.push(
      `## ${SECTION.large}`,
      "",
      `\`go mod download -json\` of a module of ${r.large[0]!.kind.mib} MiB, cold, ${r.large[0]!.runs.length / 2} run(s) per mode, alternating, as the cold downloads above (fresh module cache each run; the proxy a fresh modgate with an empty store, warmed up on a small module; both modes must compute the same \`h1:\`), in a repository of one commit served by the GitLab stand-in. Two kinds of content: Go-like source (256 KiB files of text that deflates to ~60 %, scripts/bench/zip-modules.ts) and incompressible bytes (10 files). *direct* fetches the commit over git, has git write a zip of it (\`git archive\`, deflating every file) and writes the module zip from that (deflating every file again); *proxy* has GitLab write the archive (the stand-in runs \`git archive\` to its end before its first byte, as GitLab does for an archive it has not cached), then modgate reads it and writes the module zip (deflating every file once more: the module zip is zlib's, level 6, whatever GitLab's archive holds), then the go command downloads that. Both modes end with the go command checking the zip's \`h1:\` and unpacking it.`,
      "",
      largeTable(r.large),
      "",
    );
  }
  if (r.runtimes && r.runtimes.zips.length > 0) {
    out.push(
      `## ${SECTION.runtimesZips}`,
      "",
      "The same public modules (Go source of the given size: 256 KiB files of identifiers in comments, which deflate to ~60 %) served by `modgate serve` (Node, disk store in proxy.cacheDir) and by `npm run dev:worker` (wrangler dev, local workerd, Cache API store, GitLab token a Worker secret), one GitLab stand-in on loopback for both. **Cold**: the whole answer to the first request for a version, which builds its zip from GitLab's archive; each cold run is another tag of the same commit, so another version built from the same bytes. **Cold CPU**: user + system time of the server's processes during the cold request (/proc; for the Worker all of workerd, not only the isolate). **Warm**: the same version again, from the store. The two runtimes are measured one after the other, never at the same time, and their zips are checked to be the same bytes.",
      "",
      zipTable(r.runtimes),
      "",
    );
  }
  if (r.runtimes?.privateWarm) {
    const w = r.runtimes.privateWarm;
    out.push(
      `## ${SECTION.runtimesPrivate}`,
      "",
      `A ${w.zipBytes.toLocaleString("en-US")}-byte zip of a private module, downloaded with a personal access token whose access decision is remembered (proxy.authTtl), against the zip of a public module of the same size on the same \`modgate serve\`, measured alternately like the scenarios (${r.meta.connections} connections, ${r.meta.rounds} round(s) of ${r.meta.duration} s). The remembered decision costs an HMAC of the credential per request. Goal (issue 11): private ≥ ${GOAL.toFixed(2)} of public. **Ratio: ${w.ratio.toFixed(2)}** (median over rounds of private requests/s over public requests/s). On a busy machine compare the server CPU per request, which other processes disturb less.`,
      "",
      privateTable(w),
      "",
    );
  }
  if (r.problems.length > 0) {
    out.push(`## ${SECTION.problems}`, "", ...r.problems.map((p) => `- ${p.split("\n")[0]}`), "");
  }
  return out.join("\n");
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A horizontal bar chart of modgate/limit per scenario (then per config size), with the goal line. */
export function svgChart(r: Results): string {
  const gap = 12; // between the scenarios and the scale rows
  const bars = [
    ...r.scenarios.map((s) => ({ label: s.name, value: s.ratio, group: 0 })),
    ...r.scale.map((s) => ({ label: `root hit, ${int(s.modules)} modules`, value: s.row.ratio, group: 1 })),
    ...r.proxy.map((s) => ({ label: s.name, value: s.ratio, group: 2 })),
  ].filter((b) => Number.isFinite(b.value));
  const groups = new Set(bars.map((b) => b.group)).size;
  const left = 190;
  const barArea = 400;
  const rowH = 26;
  const top = 80;
  const bottom = top + bars.length * rowH + Math.max(0, groups - 1) * gap;
  const width = left + barArea + 60;
  const height = bottom + 30;
  const max = Math.max(1.2, ...bars.map((b) => b.value * 1.05));
  const x = (v: number) => left + (v / max) * barArea;
  // A gap before each new group of bars.
  const groupsBefore = (i: number) => new Set(bars.slice(0, i + 1).map((b) => b.group)).size - 1;
  const rowY = (i: number) => top + i * rowH + groupsBefore(i) * gap;
  const o: string[] = [];
  o.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600">modgate requests/s ÷ bare node:http limit (same bytes)</text>`,
    `<text x="12" y="40" fill="#555">Node ${esc(r.meta.node)}, ${r.meta.cores} cores, ${r.meta.connections} connections, ${r.meta.duration} s × ${r.meta.rounds} rounds, ${esc(r.meta.date.slice(0, 10))} — higher is better</text>`,
  );
  for (const tick of [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]) {
    if (tick > max) continue;
    o.push(
      `<line x1="${x(tick).toFixed(1)}" y1="${top - 6}" x2="${x(tick).toFixed(1)}" y2="${bottom}" stroke="#e4e4e4"/>`,
      `<text x="${x(tick).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" fill="#555">${tick.toFixed(2)}</text>`,
    );
  }
  bars.forEach((b, i) => {
    const y = rowY(i);
    const colour = b.value >= GOAL ? "#2e8b57" : "#e07b24";
    o.push(
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${esc(b.label)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${Math.max(1, x(b.value) - left).toFixed(1)}" height="${rowH - 8}" fill="${colour}"/>`,
      `<text x="${(x(b.value) + 5).toFixed(1)}" y="${y + 17}">${b.value.toFixed(2)}</text>`,
    );
  });
  o.push(
    `<line x1="${x(GOAL).toFixed(1)}" y1="${top - 10}" x2="${x(GOAL).toFixed(1)}" y2="${bottom + 4}" stroke="#c0392b" stroke-width="2" stroke-dasharray="6 4"/>`,
    `<text x="${x(GOAL).toFixed(1)}" y="${top - 16}" text-anchor="middle" fill="#c0392b">goal ${GOAL.toFixed(2)}</text>`,
    `</svg>`,
  );
  return o.join("\n") + "\n";
}
