// Warm answers while GitLab fails (finding 6 of "the proxy keeps its
// promises"): a public module's stored .info and its list, measured with
// GitLab up, down (500 to every API call) and hanging (never answering),
// each after listTtl (1 s here) has passed, so every module look-up is due
// throughout. A due look-up used to hold every request until GitLab answered
// or timed out; now the last good one answers and it goes on in the background.
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createRepoRoot, makeRepo } from "../../test/e2e/harness/git-repos.js";
import { startGitLabStandIn } from "../../test/e2e/harness/gitlab-stand-in.js";
import { HOST } from "./configs.js";
import { load, type Measurement } from "./load.js";
import { get, startModgate } from "./servers.js";

export interface OutageRow {
  gitlab: "up" | "down" | "hanging";
  what: ".info (stored)" | "list";
  m: Measurement;
}

const MODULE = `${HOST}/outage`;
const LIST_TTL = 1;

export async function measureOutage(
  o: { duration: number; connections: number; tmp: string },
  problems: string[],
  log: (line: string) => void,
): Promise<OutageRow[]> {
  const repos = await createRepoRoot();
  const lab = await makeRepo(repos.dir, "platform/outage", {
    files: { "go.mod": `module ${MODULE}\n\ngo 1.21\n`, "a.go": "package outage\n" },
    tags: ["v1.0.0"],
  })
    .then(() => startGitLabStandIn({ root: repos.dir, token: "glpat-bench-unused", projects: [{ path: "platform/outage", visibility: "public" }] }))
    .catch(async (err: unknown) => {
      await repos.close();
      throw err;
    });
  const rows: OutageRow[] = [];
  try {
    const config = join(o.tmp, "modgate-outage.yaml");
    // apiTimeout 10 s: what a due look-up waited for, per request, before the fix while GitLab hung.
    await writeFile(
      config,
      `gitlab:\n  url: ${lab.url}\n  apiTimeout: 10\nproxy:\n  enabled: true\n  listTtl: ${LIST_TTL}\n  cacheDir: ${JSON.stringify(join(o.tmp, "outage-store"))}\nmodules:\n  - path: ${MODULE}\n    project: platform/outage\n`,
    );
    const modgate = await startModgate(config);
    try {
      for (const file of ["list", "v1.0.0.info", "v1.0.0.mod", "v1.0.0.zip"]) {
        const a = await get(modgate.url, HOST, `/${MODULE}/@v/${file}`, 60_000);
        if (a.status !== 200) throw new Error(`warming: ${file} answered ${a.status}: ${a.body.toString("utf8").slice(0, 200)}`);
      }
      for (const [gitlab, mode] of [
        ["up", "ok"],
        ["down", "down"],
        ["hanging", "hang"],
      ] as const) {
        lab.setMode(mode);
        for (const [what, path] of [
          [".info (stored)", `/${MODULE}/@v/v1.0.0.info`],
          ["list", `/${MODULE}/@v/list`],
        ] as const) {
          await sleep(LIST_TTL * 1000 + 100);
          const m = await load({
            url: modgate.url,
            host: HOST,
            paths: [path],
            connections: o.connections,
            duration: o.duration,
            expect: 200,
            pid: modgate.pid,
          });
          rows.push({ gitlab, what, m });
          const wrong = Object.entries(m.wrong);
          if (wrong.length > 0 || m.errors > 0)
            problems.push(`proxy-outage: GitLab ${gitlab}, ${what}: ${m.errors} errors, statuses ${JSON.stringify(m.wrong)}`);
          log(`  GitLab ${gitlab}, ${what}: ${Math.round(m.rps)} req/s, p99 ${m.p99.toFixed(2)} ms`);
        }
      }
    } finally {
      await modgate.stop();
    }
  } finally {
    await lab.close();
    await repos.close();
  }
  return rows;
}
