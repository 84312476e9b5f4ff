// The `proxy-runtimes` part of `npm run bench` (issues 11 and 12; proxy.ts is
// the `proxy` part: warm answers against the limit and cold `go mod download`).
// The module proxy's zips: the same modules built cold and
// served warm by `modgate serve` (Node, disk store) and by `npm run dev:worker`
// (workerd, Cache API store), against one GitLab stand-in; and on Node, a warm
// private zip (a remembered access decision) against a warm public one under
// load. Cold builds are measured on several tags of one commit: each tag is a
// version of its own, so each is built from GitLab's archive, with the same
// bytes to read.
import { execSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRepoRoot, makeRepo, type RepoRoot } from "../../test/e2e/harness/git-repos.js";
import { startGitLabStandIn, type GitLabStandIn } from "../../test/e2e/harness/gitlab-stand-in.js";
import { alternate, type Measurement } from "./load.js";
import { get, startModgate, startProcess, type Running } from "./servers.js";
import { freePort } from "./workers.js";
import { goSourceFiles } from "./zip-modules.js";

const HOST = "go.example.com";
const SERVER_TOKEN = "glpat-bench-proxy-server";
const READER_TOKEN = "glpat-bench-proxy-reader";
/**
 * Source size (4 KiB) of the two modules compared under load: a small module, so the answer's cost is
 * modgate's, not the load generator's (with a 40 KB zip autocannon, on the same 2 cores, is the limit).
 */
const SMALL_MIB = 1 / 256;

export interface RuntimesOptions {
  /** Source sizes in MiB of the modules built cold and served warm. */
  sizes: number[];
  /** Cold builds per module and runtime (one tag each). */
  coldBuilds: number;
  /** Warm downloads per module and runtime. */
  warmDownloads: number;
  load: { connections: number; rounds: number; duration: number; warmup: number };
  tmp: string;
}

export interface ZipRow {
  runtime: string;
  sourceMiB: number;
  archiveBytes?: number;
  zipBytes: number;
  /** Seconds for the whole answer of each cold build. */
  cold: number[];
  /** CPU seconds the server's processes used during each cold build (Linux /proc). */
  coldCpu: number[];
  /** Milliseconds for each warm download. */
  warm: number[];
}

export interface PrivateWarm {
  runtime: string;
  zipBytes: number;
  public: Measurement;
  private: Measurement;
  publicRounds: number[];
  privateRounds: number[];
  /** Median over rounds of private requests/s over public requests/s in the same round. */
  ratio: number;
}

export interface RuntimesResults {
  zips: ZipRow[];
  privateWarm?: PrivateWarm;
}

const tagsOf = (n: number) => Array.from({ length: n }, (_, i) => `v1.0.${i}`);
const moduleOf = (mib: number) => `m${String(mib).replace(".", "_")}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function measureRuntimes(o: RuntimesOptions, problems: string[], log: (line: string) => void): Promise<RuntimesResults> {
  const repos = await createRepoRoot();
  let lab: GitLabStandIn | undefined;
  let node: Running | undefined;
  let worker: Running | undefined;
  try {
    const tags = tagsOf(o.coldBuilds);
    for (const mib of o.sizes) {
      await makeRepo(repos.dir, `bench/${moduleOf(mib)}`, { files: goSourceFiles(`${HOST}/${moduleOf(mib)}`, mib), tags });
    }
    // Seed 1: the generator's float LCG falls into a short cycle from some seeds (0.0625 × 7919 among
    // them), which would make text that deflates to nothing; seed 1 gives the usual ~60 %.
    await makeRepo(repos.dir, "bench/pub", { files: goSourceFiles(`${HOST}/pub`, SMALL_MIB, 1), tags: ["v1.0.0"] });
    await makeRepo(repos.dir, "bench/priv", { files: goSourceFiles(`${HOST}/priv`, SMALL_MIB, 1), tags: ["v1.0.0"] });
    lab = await startGitLabStandIn({
      root: repos.dir,
      token: SERVER_TOKEN,
      projects: [
        ...o.sizes.map((mib) => ({ path: `bench/${moduleOf(mib)}`, visibility: "public" as const })),
        { path: "bench/pub", visibility: "public" },
        { path: "bench/priv", visibility: "private" },
      ],
      access: {
        users: [{ username: "alice", memberships: { bench: "developer" } }],
        personalAccessTokens: [{ token: READER_TOKEN, user: "alice", scopes: ["read_repository"] }],
      },
    });
    const configPath = writeConfig(o, lab.url);
    node = await startModgate(configPath, "1", { GITLAB_TOKEN: SERVER_TOKEN });
    worker = await startWorker(configPath, o.tmp);
    const runtimes = [
      { name: "Node (modgate serve)", server: node, pids: () => [node!.pid] },
      { name: "Worker (workerd)", server: worker, pids: () => workerdPids(worker!.pid) },
    ];
    const zips: ZipRow[] = [];
    for (const mib of o.sizes) {
      const archiveBytes = await archiveSize(lab.url, `bench/${moduleOf(mib)}`, tags[0]!);
      const bytesBy = new Map<string, Buffer>();
      for (const r of runtimes) {
        const row: ZipRow = { runtime: r.name, sourceMiB: mib, archiveBytes, zipBytes: 0, cold: [], coldCpu: [], warm: [] };
        for (const tag of tags) {
          const cpu0 = cpuSeconds(r.pids());
          const t0 = performance.now();
          let a: Awaited<ReturnType<typeof get>>;
          try {
            a = await get(r.server.url, HOST, `/${HOST}/${moduleOf(mib)}/@v/${tag}.zip`, 600_000);
          } catch (err) {
            // A dropped connection is a finding about this runtime, not the end of the benchmark.
            problems.push(
              `proxy-runtimes: ${r.name}, the ${mib} MiB module ${tag}: ${err instanceof Error ? err.message : String(err)}; its last output:\n${r.server.output().slice(-2000)}`,
            );
            break;
          }
          row.cold.push((performance.now() - t0) / 1000);
          row.coldCpu.push(cpuSeconds(r.pids()) - cpu0);
          if (a.status !== 200) {
            problems.push(`proxy-runtimes: ${r.name} answered ${a.status} for the ${mib} MiB module ${tag}: ${a.body.subarray(0, 200).toString("utf8")}`);
            break;
          }
          row.zipBytes = a.body.length;
          if (tag === tags[0]) bytesBy.set(r.name, a.body);
        }
        if (row.zipBytes > 0) {
          for (let i = 0; i < o.warmDownloads; i++) {
            const t0 = performance.now();
            const a = await get(r.server.url, HOST, `/${HOST}/${moduleOf(mib)}/@v/${tags[0]}.zip`, 600_000);
            row.warm.push(performance.now() - t0);
            if (a.status !== 200) problems.push(`proxy-runtimes: ${r.name} answered ${a.status} for the warm ${mib} MiB zip`);
          }
        }
        log(`  ${mib} MiB on ${r.name}: cold ${median(row.cold).toFixed(2)} s, warm ${median(row.warm).toFixed(0)} ms`);
        zips.push(row);
      }
      const [a, b] = runtimes.map((r) => bytesBy.get(r.name));
      if (a && b && !a.equals(b)) problems.push(`proxy-runtimes: the ${mib} MiB zip differs between Node and the Worker (${a.length} vs ${b.length} bytes)`);
    }
    const privateWarm = await comparePrivate(node, o, problems);
    return { zips, privateWarm };
  } finally {
    await worker?.stop();
    await node?.stop();
    await lab?.close();
    await repos.close();
  }
}

/** A warm private zip (a remembered decision) against a warm public zip of the same size, alternately, on Node. */
async function comparePrivate(node: Running, o: RuntimesOptions, problems: string[]): Promise<PrivateWarm | undefined> {
  const authorization = `Basic ${Buffer.from(`alice:${READER_TOKEN}`).toString("base64")}`;
  const pub = `/${HOST}/pub/@v/v1.0.0.zip`;
  const priv = `/${HOST}/priv/@v/v1.0.0.zip`;
  // Built once, and the decision made once, before measuring.
  const warmed = await get(node.url, HOST, pub);
  const allowed = await get(node.url, HOST, priv, 30_000, { authorization });
  if (warmed.status !== 200 || allowed.status !== 200) {
    problems.push(`proxy-runtimes: warming the public/private zips answered ${warmed.status}/${allowed.status}`);
    return undefined;
  }
  const c = await alternate(
    [
      { label: "public", url: node.url, pid: node.pid, paths: [pub] },
      { label: "private", url: node.url, pid: node.pid, paths: [priv], headers: { authorization } },
    ],
    { host: HOST, paths: [pub], connections: o.load.connections, expect: 200 },
    o.load,
  );
  problems.push(...c.problems.map((p) => `proxy-runtimes: ${p}`));
  const publicRounds = c.rounds.get("public")!;
  const privateRounds = c.rounds.get("private")!;
  return {
    runtime: "Node (modgate serve)",
    zipBytes: allowed.body.length,
    public: c.median.get("public")!,
    private: c.median.get("private")!,
    publicRounds,
    privateRounds,
    ratio: median(privateRounds.map((p, i) => p / publicRounds[i]!)),
  };
}

function writeConfig(o: RuntimesOptions, gitlabUrl: string): string {
  const modules = [...o.sizes.map(moduleOf), "pub", "priv"];
  const file = join(o.tmp, "modgate-proxy-runtimes.yaml");
  writeFileSync(
    file,
    [
      "gitlab:",
      `  url: ${gitlabUrl}`,
      // A reference: Node reads it from its env, the Worker from a secret.
      "  token: ${GITLAB_TOKEN}",
      "  transport: https",
      "proxy:",
      "  enabled: true",
      `  cacheDir: ${join(o.tmp, "runtimes-node-store")}`,
      // Longer than the run: the private zip is measured with its decision remembered.
      "  authTtl: 3600",
      "modules:",
      ...modules.flatMap((m) => [`  - path: ${HOST}/${m}`, `    project: bench/${m}`, ...(m === "priv" ? ["    private: true"] : [])]),
      "",
    ].join("\n"),
  );
  return file;
}

/** `npm run dev:worker` with the GitLab token as a secret (an env file, never the command line) and a state dir of its own. */
async function startWorker(configPath: string, tmp: string): Promise<Running> {
  const port = await freePort();
  const secrets = join(tmp, "runtimes-worker-secrets.env");
  writeFileSync(secrets, `GITLAB_TOKEN=${JSON.stringify(SERVER_TOKEN)}\n`, { mode: 0o600 });
  const state = join(tmp, "runtimes-worker-state");
  mkdirSync(state, { recursive: true });
  return startProcess("npm", ["run", "dev:worker", "--", "--port", String(port), "--ip", "127.0.0.1", "--env-file", secrets, "--persist-to", state], {
    env: { MODGATE_CONFIG: configPath, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    ready: /Ready on (http:\/\/\S+)/,
    timeoutMs: 120_000,
    label: "npm run dev:worker",
  });
}

/** The workerd processes of one dev:worker process group (other runs may have theirs). */
function workerdPids(group: number): number[] {
  try {
    return execSync(`ps -o pid=,comm= -g ${group}`)
      .toString()
      .split("\n")
      .filter((l) => /workerd/.test(l))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
  } catch {
    return [];
  }
}

/** utime + stime of the processes, in seconds (Linux: 100 ticks a second); 0 for a process gone. */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}

/** Bytes of GitLab's archive of the module (what modgate spools), straight from the stand-in. */
async function archiveSize(gitlabUrl: string, project: string, ref: string): Promise<number | undefined> {
  try {
    const r = await fetch(`${gitlabUrl}/api/v4/projects/${encodeURIComponent(project)}/repository/archive.zip?sha=${ref}`, {
      headers: { "private-token": SERVER_TOKEN },
    });
    return r.ok ? (await r.arrayBuffer()).byteLength : undefined;
  } catch {
    return undefined;
  }
}
