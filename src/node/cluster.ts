// `modgate serve --workers N`: N processes sharing one port through
// node:cluster. The primary only supervises: it forwards SIGHUP (reload) and
// SIGTERM/SIGINT (drain and stop) to every worker and exits 0 once all have.
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { count } from "./count.js";

/** "auto" → the available cores; otherwise a positive integer. */
export function parseWorkerCount(value: string | undefined): number | undefined {
  if (value === undefined) return 1;
  if (value === "auto") return availableParallelism();
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 1024 ? n : undefined;
}

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** The environment variable that tells each worker how many there are. */
const WORKERS_VAR = "MODGATE_CLUSTER_WORKERS";

/** How many processes serve together: the workers of this cluster, or 1. */
export function clusterSize(): number {
  if (!cluster.isWorker) return 1;
  const n = Number(process.env[WORKERS_VAR]);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** Runs in the primary: forks the workers and supervises them until a stop signal. */
/** A worker that dies sooner than this after its start counts as crashing at start-up. */
const QUICK_EXIT_MS = 5_000;
const MAX_RESTART_DELAY_MS = 30_000;

export function runPrimary(workers: number, report: (line: string) => void): Promise<number> {
  const startedAt = new Map<number, number>();
  const fork = () => {
    const worker = cluster.fork({ [WORKERS_VAR]: String(workers) });
    startedAt.set(worker.id, Date.now());
  };
  for (let i = 0; i < workers; i++) fork();
  let stopping = false;
  let announced = false;
  let restartDelay = 0;
  /** Workers listening, and workers a reload was asked of before they listened (ids). */
  const listening = new Set<number>();
  const reloadDue = new Set<number>();

  // The port is announced once every worker listens: a SIGHUP sent after the line reaches
  // workers that have their handlers (one still loading its modules would die of it).
  cluster.on("listening", (worker, address) => {
    listening.add(worker.id);
    if (reloadDue.delete(worker.id)) worker.process.kill("SIGHUP");
    if (announced || listening.size < workers) return;
    announced = true;
    const host = address.address?.includes(":") ? `[${address.address}]` : (address.address ?? "0.0.0.0");
    report(`modgate: listening on http://${host}:${address.port} (${count(workers, "worker")})`);
  });
  cluster.on("exit", (worker, code, signal) => {
    listening.delete(worker.id);
    reloadDue.delete(worker.id);
    if (stopping) return;
    // A worker that dies outside a stop is replaced, so the port keeps serving;
    // one that keeps dying at start-up (say, a config broken since) is retried
    // with a growing delay instead of in a tight loop.
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    restartDelay = lived < QUICK_EXIT_MS ? Math.min(MAX_RESTART_DELAY_MS, Math.max(1_000, restartDelay * 2)) : 0;
    report(`modgate: worker ${worker.process.pid} exited (${signal ?? code}); starting another${restartDelay ? ` in ${restartDelay / 1000} s` : ""}`);
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelay);
  });

  // A worker still starting is sent the reload once it listens: it may have read the file before it changed.
  process.on("SIGHUP", () => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (!worker) continue;
      if (listening.has(worker.id)) worker.process.kill("SIGHUP");
      else reloadDue.add(worker.id);
    }
  });
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      report(`modgate: ${signal}: stopping ${count(workers, "worker")}`);
      const alive = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
      if (alive.length === 0) resolve(0);
      let remaining = alive.length;
      for (const worker of alive) {
        worker.once("exit", () => {
          if (--remaining === 0) resolve(0);
        });
        worker.process.kill("SIGTERM");
      }
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
