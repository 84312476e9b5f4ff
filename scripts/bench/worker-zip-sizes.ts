import { execSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRepoRoot, makeRepo } from "../../test/e2e/harness/git-repos.js";
import { startGitLabStandIn } from "../../test/e2e/harness/gitlab-stand-in.js";
import { startModgateWorker } from "../../test/e2e/harness/modgate.js";
import { goSourceFiles } from "./zip-modules.js";
// Sizes in MiB of source; `npx tsx scripts/bench/worker-zip-sizes.ts 80` measures one.
const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1, 8, 24, 48, 80];
const repos = await createRepoRoot();
for (const mb of sizes) {
  const files = goSourceFiles(`go.example.com/m${mb}`, mb);
  await makeRepo(repos.dir, `platform/m${mb}`, { files, tags: ["v1.0.0"] });
}
const lab = await startGitLabStandIn({
  root: repos.dir,
  token: "glpat-bench",
  projects: sizes.map((mb) => ({ path: `platform/m${mb}`, visibility: "public" as const })),
});
const cfg = join(repos.dir, "modgate.yaml");
writeFileSync(
  cfg,
  `gitlab:\n  url: ${lab.url}\n  token: \${GITLAB_TOKEN}\n  transport: https\nproxy:\n  enabled: true\nmodules:\n` +
    sizes.map((mb) => `  - path: go.example.com/m${mb}\n    project: platform/m${mb}\n`).join(""),
);
const w = await startModgateWorker(cfg, {}, { GITLAB_TOKEN: "glpat-bench" }, ["--persist-to", join(repos.dir, "state")]);
// Only the workerd of this wrangler dev (its own process group): other runs may have theirs.
const workerdPids = () =>
  execSync(`ps -o pid=,comm= -g ${w.child.pid}`)
    .toString()
    .split("\n")
    .filter((l) => /workerd/.test(l))
    .map((l) => l.trim().split(/\s+/)[0]!);
const cpu = () =>
  workerdPids().reduce((n, p) => {
    const f = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ");
    return n + Number(f[11]) + Number(f[12]);
  }, 0) * 10;
const rss = () => workerdPids().reduce((n, p) => n + Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))![1]), 0);
for (const mb of sizes) {
  // How long GitLab (the stand-in builds the whole archive first, as GitLab does for an uncached one)
  // takes to start answering: modgate waits for that first byte (gitlab/client.ts ARCHIVE_START_MS).
  const a0 = Date.now();
  const archiveResponse = await fetch(`${lab.url}/api/v4/projects/platform%2Fm${mb}/repository/archive.zip?sha=v1.0.0`, {
    headers: { "private-token": "glpat-bench" },
  });
  const archiveFirstByteMs = Date.now() - a0;
  const archive = await archiveResponse
    .arrayBuffer()
    .then((b) => b.byteLength)
    .catch(() => -1);
  const c0 = cpu();
  const t0 = Date.now();
  const r = await fetch(`${w.url}/go.example.com/m${mb}/@v/v1.0.0.zip`);
  const body = await r.arrayBuffer();
  const cold = Date.now() - t0;
  const c1 = cpu();
  const t1 = Date.now();
  await (await fetch(`${w.url}/go.example.com/m${mb}/@v/v1.0.0.zip`)).arrayBuffer();
  const warm = Date.now() - t1;
  console.log(
    JSON.stringify({
      mb,
      archiveBytes: archive,
      archiveFirstByteMs,
      status: r.status,
      zipBytes: body.byteLength,
      coldMs: cold,
      workerdCpuMs: c1 - c0,
      warmMs: warm,
      workerdPeakRssKiB: rss(),
      text: r.status !== 200 ? new TextDecoder().decode(body).slice(0, 200) : undefined,
    }),
  );
  if (r.status !== 200) console.error(w.output().slice(-3000));
}
await w.close();
await lab.close();
await repos.close();
