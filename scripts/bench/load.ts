// Load generation with autocannon, in this process. Latencies are recorded
// here from every response at 10 µs resolution (autocannon's own histogram
// keeps whole milliseconds), and every status is checked.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

export interface LoadOptions {
  /** Origin of the server, `http://127.0.0.1:PORT`. */
  url: string;
  host: string;
  /** One path, or several sent in turn on each connection. */
  paths: string[];
  connections: number;
  /** Seconds; or stop after `amount` requests. */
  duration?: number;
  amount?: number;
  /** The status every answer must have; undefined accepts the 2xx-4xx a path mix produces. */
  expect?: number;
  /** The server's process, to report the CPU it used (Linux). */
  pid?: number;
  /** More request headers, e.g. a client's Authorization. */
  headers?: Record<string, string>;
}

export interface Measurement {
  requests: number;
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  errors: number;
  /** CPU time over wall time: 1 = one core busy all along. */
  serverCpu?: number;
  loadCpu: number;
  /** CPU used by everything else on the machine meanwhile (Linux): other work disturbs the figures. */
  otherCpu?: number;
  /** Answers with another status than the expected one, by status. */
  wrong: Record<string, number>;
}

const BUCKET_MS = 0.01;
const BUCKETS = 100_000; // up to 1 s; slower answers land in the last bucket

export async function load(opts: LoadOptions): Promise<Measurement> {
  const histogram = new Uint32Array(BUCKETS);
  let count = 0;
  const wrong: Record<string, number> = {};
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    ...(opts.amount !== undefined ? { amount: opts.amount } : { duration: opts.duration ?? 1 }),
    timeout: 10,
    headers: { host: opts.host, "user-agent": "Go-http-client/1.1", "accept-encoding": "gzip", ...opts.headers },
    requests: opts.paths.map((path) => ({ path })),
  });
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    count++;
    histogram[Math.min(BUCKETS - 1, Math.floor(ms / BUCKET_MS))]!++;
    const ok = opts.expect === undefined ? status >= 200 && status < 500 : status === opts.expect;
    if (!ok) wrong[status] = (wrong[status] ?? 0) + 1;
  });
  const started = performance.now();
  const serverTicks = opts.pid === undefined ? undefined : cpuTicks(opts.pid);
  const loadCpu = process.cpuUsage();
  const busyTicks = machineBusyTicks();
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  const loadUsed = process.cpuUsage(loadCpu);
  const serverUsed = serverTicks === undefined ? undefined : cpuTicks(opts.pid!);
  const busyUsed = machineBusyTicks();
  const serverCpu = serverTicks !== undefined && serverUsed !== undefined ? (serverUsed - serverTicks) / TICKS_PER_SECOND / seconds : undefined;
  const loadCpuShare = (loadUsed.user + loadUsed.system) / 1e6 / seconds;
  const machineCpu = busyTicks !== undefined && busyUsed !== undefined ? (busyUsed - busyTicks) / TICKS_PER_SECOND / seconds : undefined;
  return {
    serverCpu,
    loadCpu: loadCpuShare,
    otherCpu: machineCpu !== undefined && serverCpu !== undefined ? Math.max(0, machineCpu - serverCpu - loadCpuShare) : undefined,
    requests: count,
    rps: count / seconds,
    p50: percentile(histogram, count, 0.5),
    p99: percentile(histogram, count, 0.99),
    errors: result.errors + result.timeouts,
    wrong,
  };
}

/** USER_HZ: Linux reports process CPU time in 1/100 s. */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process from /proc/PID/stat, in ticks; undefined off Linux. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** CPU ticks all cores spent busy since boot, from /proc/stat; undefined off Linux. */
function machineBusyTicks(): number | undefined {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    return user! + nice! + system! + irq! + softirq! + steal!;
  } catch {
    return undefined;
  }
}

function percentile(histogram: Uint32Array, count: number, q: number): number {
  const rank = Math.ceil(q * count);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    if (seen >= rank && seen > 0) return (i + 1) * BUCKET_MS;
  }
  return NaN;
}

/** What went wrong in a measurement, or undefined. */
export function problem(m: Measurement): string | undefined {
  const wrong = Object.entries(m.wrong);
  if (m.requests === 0) return "no answers at all";
  if (wrong.length > 0) return `wrong status: ${wrong.map(([s, n]) => `${n} × ${s}`).join(", ")}`;
  if (m.errors > m.requests / 100) return `${m.errors} connection errors or timeouts`;
  return undefined;
}

export interface Target {
  label: string;
  url: string;
  pid?: number;
  /** Instead of the common paths, e.g. a private and a public module on one server. */
  paths?: string[];
  headers?: Record<string, string>;
}

export interface Compared {
  /** The round with the median requests/s, per target label. */
  median: Map<string, Measurement>;
  /** Requests/s of every round, per target label. */
  rounds: Map<string, number[]>;
  problems: string[];
}

/**
 * Measures the targets in turn (A, B, A, B, ...) for `rounds` rounds after an
 * unrecorded warm-up of each, and keeps the median round of each.
 */
export async function alternate(
  targets: Target[],
  base: Omit<LoadOptions, "url" | "duration">,
  opts: { rounds: number; duration: number; warmup: number },
): Promise<Compared> {
  const all = new Map<string, Measurement[]>(targets.map((t) => [t.label, []]));
  const problems: string[] = [];
  const of = (t: Target) => ({
    ...base,
    url: t.url,
    ...(t.paths ? { paths: t.paths } : {}),
    ...(t.headers ? { headers: { ...base.headers, ...t.headers } } : {}),
  });
  if (opts.warmup > 0) for (const t of targets) await load({ ...of(t), duration: opts.warmup });
  for (let round = 0; round < opts.rounds; round++) {
    for (const t of targets) {
      const m = await load({ ...of(t), pid: t.pid, duration: opts.duration });
      const p = problem(m);
      if (p !== undefined) problems.push(`${t.label} ${(t.paths ?? base.paths).join(" ")}: ${p}`);
      all.get(t.label)!.push(m);
    }
  }
  const median = new Map<string, Measurement>();
  const rounds = new Map<string, number[]>();
  for (const [label, ms] of all) {
    const sorted = [...ms].sort((a, b) => a.rps - b.rps);
    median.set(label, sorted[Math.floor(sorted.length / 2)]!);
    rounds.set(
      label,
      ms.map((m) => m.rps),
    );
  }
  return { median, rounds, problems };
}
