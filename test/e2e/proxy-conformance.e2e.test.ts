// The module proxy's conformance suite (issue 10): for every proxy fixture, every module, every
// version and query it lists — plus the default branch, hashes of the newest commit (7, 12, 40 hex) and
// pseudo-versions asked for directly, valid and invalid — the go command through modgate's proxy
// (GOPROXY=http://modgate, a fresh module cache per question) must answer exactly what the go
// command answers with GOPROXY=direct through modgate's go-import answers and git (the oracle):
// `go mod download -json` Version, Time (.info), Sum and GoModSum, `go list -m -versions`,
// `@latest`; or both fail, the proxy's answer carrying go's own reason. A table of every
// comparison is printed at the end. Also here: GitLab calls per version build do not grow with
// the file count, and the tree listing's keyset pages (a submodule among 200+ files).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDirectOracle, type DirectDownload, type DirectOracle } from "./harness/go-direct.js";
import { goDownload, goLatest, goVersions, type GoRunner, viaGoProxy } from "./harness/go-answers.js";
import {
  PROXY_FIXTURES,
  fixtureProject,
  fixtureProxyConfig,
  queryText,
  startFixtureLab,
  type FixtureLab,
  type FixtureModule,
  type FixtureQuery,
  type ProxyFixture,
} from "./harness/proxy-fixtures.js";
import type { BuiltRepo } from "./harness/fixture-repo.js";
import { isolatedGitEnv, makeTempDir, removeDir, requireTools, runOk, startModgateNode, toolPath, type RunningModgate } from "./harness/index.js";

const M = "go.example.com/fx";
const TOKEN = "glpat-conformance";
const goMod = (path: string) => `module ${path}\n\ngo 1.21\n`;

/** A module of `count` files in a few directories, no .gitattributes: the archive alone is its content. */
function manyFiles(count: number): ProxyFixture {
  const name = `files${count}`;
  const files: Record<string, string> = { "go.mod": goMod(`${M}/${name}`) };
  for (let i = 0; i < count; i++) files[`d${i % 7}/f${i}.go`] = `package d${i % 7}\n\nconst F${i} = ${i}\n`;
  return {
    name,
    history: { commits: [{ files, tags: ["v1.0.0"] }] },
    modules: [{ path: `${M}/${name}`, versions: ["v1.0.0"], latest: "v1.0.0", queries: [{ query: "v1.0.0", expect: {} }] }],
  };
}

/**
 * .gitattributes (so the tree listing decides the files) with a submodule among 240 files:
 * GitLab's offset pages of such a tree can skip or repeat files; keyset pages cannot.
 */
const PAGED_TREE: ProxyFixture = (() => {
  const name = "pagedtree";
  const files: Record<string, string | { gitlink: string }> = { "go.mod": goMod(`${M}/${name}`), ".gitattributes": "*.txt eol=crlf\n" };
  for (let i = 0; i < 240; i++) files[`f${String(i).padStart(3, "0")}.go`] = `package ${name}\n\nconst F${i} = ${i}\n`;
  files["f050sub"] = { gitlink: "1234567890abcdef1234567890abcdef12345678" };
  files["notes.txt"] = "one\ntwo\n";
  return {
    name,
    history: { commits: [{ files, tags: ["v1.0.0"] }] },
    modules: [{ path: `${M}/${name}`, versions: ["v1.0.0"], latest: "v1.0.0", queries: [{ query: "v1.0.0", expect: {} }] }],
  };
})();

/** 150 tags (10 per commit): the tag list spans two of GitLab's 100-entry pages. */
const MANY_TAGS: ProxyFixture = (() => {
  const name = "manytags";
  const commits = Array.from({ length: 15 }, (_, c) => ({
    files: c === 0 ? { "go.mod": goMod(`${M}/${name}`), "a.go": `package ${name}\n` } : { [`c${c}.go`]: `package ${name}\n` },
    tags: Array.from({ length: 10 }, (_, t) => `v0.${c + 1}.${t}`),
  }));
  const versions = commits.flatMap((c) => c.tags).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return {
    name,
    history: { commits },
    modules: [{ path: `${M}/${name}`, versions, latest: "v0.15.9", queries: [{ query: "v0.1.0", expect: {} }] }],
  };
})();

const EXTRA: ProxyFixture[] = [manyFiles(10), manyFiles(300), PAGED_TREE, MANY_TAGS];
const ALL: ProxyFixture[] = [...PROXY_FIXTURES, ...EXTRA];

/** `vX.Y.Z` + 1 patch, as a pseudo-version's base (the form go builds for a release base). */
function pseudo(base: string | undefined, time: Date, rev: string): string {
  const ts = time.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  if (base === undefined) return `v1.0.0-${ts}-${rev}`;
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(base);
  if (m) return `v${m[1]}.${m[2]}.${Number(m[3]) + 1}-0.${ts}-${rev}`;
  return `${base}.0.${ts}-${rev}`; // a prerelease base
}

const PSEUDO = /^(v\d+\.\d+\.\d+-(?:[0-9A-Za-z.-]+\.)?0\.|v\d+\.0\.0-)(\d{14})-([0-9a-f]+)(\+incompatible)?$/;

/**
 * The reason inside one of go's errors: its last line after the last `module@version: `, without
 * the proxy's `server response: not found: ` and without the two ways go prints an
 * InvalidVersionError (`invalid version: ` inside a ModuleError, `version "v" invalid: ` alone):
 * direct mode and the proxy's 404 body wrap the same reason differently.
 */
function goReason(error: string): string {
  let s =
    error
      .trim()
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? "";
  for (let before = ""; before !== s;) {
    before = s;
    s = s
      .replace(/^.*[^\s:@]+@[^\s:]+: /, "")
      .replace(/^(go|server response|not found): /, "")
      .replace(/^(invalid version|version "[^"]*" invalid): /, "");
  }
  return s;
}

type Row = [what: string, query: string, direct: string, proxy: string, verdict: string];

const show = (d: DirectDownload) => (d.Error !== undefined ? `FAIL ${goReason(d.Error)}` : `${d.Version} ${d.Time} ${d.Sum} ${d.GoModSum}`);

describe.skipIf(!requireTools("go", "git", "git-http-backend"))("module proxy conformance: GOPROXY=modgate = GOPROXY=direct", () => {
  let fixtures: FixtureLab;
  let oracle: DirectOracle;
  let modgate: RunningModgate;
  let configDir: string;
  const table: Row[] = [];

  /** A go command through modgate's proxy with a module cache of its own (nothing answered from an earlier question). */
  const viaProxy = <T>(ask: (go: GoRunner) => Promise<T>): Promise<T> => viaGoProxy(modgate.url, ask);
  const direct: GoRunner = (args) => oracle.go.go(args);

  beforeAll(async () => {
    fixtures = await startFixtureLab(ALL, TOKEN);
    oracle = await startDirectOracle({ gitlabUrl: fixtures.lab.url, fixtures: ALL });
    configDir = await makeTempDir("proxy-conformance");
    const configPath = join(configDir, "modgate.yaml");
    await writeFile(configPath, fixtureProxyConfig(ALL, fixtures.lab.url, TOKEN, join(configDir, "store")));
    modgate = await startModgateNode(configPath);
  }, 600_000);

  afterAll(async () => {
    if (table.length > 0) {
      const cap = [44, 42, 70, 70, 8];
      const widths = cap.map((c, i) => Math.min(c, Math.max(...table.map((row) => row[i]!.length))));
      const line = (row: readonly string[]) => row.map((cell, i) => cell.slice(0, cap[i]!).padEnd(widths[i]!)).join(" | ");
      console.log([line(["module", "query", "direct", "proxy", "verdict"]), ...table.map(line)].join("\n"));
      const bad = table.filter((r) => r[4] !== "same");
      console.log(`conformance: ${table.length - bad.length}/${table.length} the same`);
    }
    await Promise.allSettled([modgate?.close(), oracle?.close()]);
    await Promise.allSettled([fixtures?.close(), configDir && removeDir(configDir)]);
  });

  /** Direct and proxy downloads agree: same fields, or both fail with go's reason in the proxy's error too. */
  function compareDownload(modulePath: string, query: string, want: DirectDownload, got: DirectDownload, reason?: RegExp): void {
    let verdict = "same";
    if (want.Error === undefined) {
      if (JSON.stringify(got) !== JSON.stringify(want)) verdict = "DIFFERENT";
    } else if (got.Error === undefined) {
      verdict = "DIFFERENT";
    } else {
      const phrase = reason ?? goReason(want.Error);
      const carried = typeof phrase === "string" ? got.Error.includes(phrase) : phrase.test(got.Error) && phrase.test(want.Error);
      if (!carried) verdict = "REASON";
    }
    table.push([modulePath, `@${query}`, show(want), show(got), verdict]);
    expect
      .soft({ query, ...got }, `${modulePath}@${query}\ndirect: ${JSON.stringify(want)}\nproxy:  ${JSON.stringify(got)}`)
      .toEqual(want.Error === undefined ? { query, ...want } : { query, Error: expect.any(String) });
    if (want.Error !== undefined && got.Error !== undefined) {
      if (reason) expect.soft(got.Error, `${modulePath}@${query}: the proxy's error carries go's reason`).toMatch(reason);
      else expect.soft(got.Error, `${modulePath}@${query}: the proxy's error carries go's reason`).toContain(goReason(want.Error));
    }
  }

  async function compare(modulePath: string, query: string, reason?: RegExp): Promise<DirectDownload> {
    const [want, got] = await Promise.all([goDownload(direct, modulePath, query), viaProxy((go) => goDownload(go, modulePath, query))]);
    compareDownload(modulePath, query, want, got, reason);
    return want;
  }

  it("GitLab calls for one version build do not grow with the file count (no .gitattributes: the archive is the content)", async () => {
    const counts: Record<string, Record<string, number>> = {};
    for (const n of [10, 300]) {
      const fixture = EXTRA.find((f) => f.name === `files${n}`)!;
      const project = fixtureProject(fixture);
      const before = fixtures.lab.apiCalls.length;
      const response = await fetch(`${modgate.url}/${M}/files${n}/@v/v1.0.0.zip`);
      expect(
        response.status,
        await response
          .clone()
          .text()
          .catch(() => ""),
      ).toBe(200);
      await response.arrayBuffer();
      const byEndpoint: Record<string, number> = {};
      for (const call of fixtures.lab.apiCalls.slice(before)) {
        if (call.id !== project) continue;
        byEndpoint[call.endpoint] = (byEndpoint[call.endpoint] ?? 0) + 1;
      }
      counts[n] = byEndpoint;
    }
    console.log(`GitLab calls per zip build: 10 files ${JSON.stringify(counts[10])}, 300 files ${JSON.stringify(counts[300])}`);
    expect(Object.values(counts[10]!).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(counts[300]).toEqual(counts[10]);
  });

  for (const fixture of ALL) {
    for (const mod of fixture.modules) {
      it(`${mod.path}: versions, @latest, every query, branch, hashes, pseudo-versions`, async () => {
        const built = fixtures.built.get(fixture.name)!;
        await compareLists(mod);
        const pseudos: string[] = [];
        const asked = new Set<string>();
        // Every listed version too (the fixtures' queries name only some of them); of a list longer
        // than 25 (manytags, there for its pages) every tenth, and the last.
        const all = Array.isArray(mod.versions) ? mod.versions : [];
        const some = all.length <= 25 ? all : all.filter((_, i) => i % 10 === 0 || i === all.length - 1);
        const listed: FixtureQuery[] = some.map((v) => ({ query: v, expect: {} }));
        for (const q of [...mod.queries, ...listed, ...extraQueries(built)]) {
          const query = queryText(q.query, built);
          if (asked.has(query)) continue;
          asked.add(query);
          const want = await compare(mod.path, query, "error" in q.expect ? q.expect.error : undefined);
          if (want.Version !== undefined && PSEUDO.test(want.Version) && !pseudos.includes(want.Version)) pseudos.push(want.Version);
        }
        // Each pseudo-version go computed, asked for by name, then broken three ways (docs/go-rules.md §2.6 format, §2.7 validation).
        for (const p of pseudos.slice(0, 2)) {
          await compare(mod.path, p);
          const [, prefix, ts, rev, inc] = PSEUDO.exec(p)!;
          const later = new Date(
            Date.UTC(+ts!.slice(0, 4), +ts!.slice(4, 6) - 1, +ts!.slice(6, 8), +ts!.slice(8, 10), +ts!.slice(10, 12), +ts!.slice(12, 14) + 1),
          );
          const laterTs = later.toISOString().replace(/[-:T]/g, "").slice(0, 14);
          const full = built.commits.find((c) => c.startsWith(rev!))!;
          await compare(mod.path, `${prefix}${laterTs}-${rev}${inc ?? ""}`, /invalid pseudo-version: does not match version-control timestamp/);
          await compare(mod.path, `${prefix}${ts}-${rev!.slice(0, 7)}${inc ?? ""}`, /invalid pseudo-version: revision is shorter than canonical/);
          await compare(mod.path, `${prefix}${ts}-${full}${inc ?? ""}`, /invalid pseudo-version: revision is longer than canonical/);
        }
      });
    }
  }

  async function compareLists(mod: FixtureModule): Promise<void> {
    const [want, got] = await Promise.all([goVersions(direct, mod.path), viaProxy((go) => goVersions(go, mod.path))]);
    const listVerdict =
      want.Error === undefined
        ? JSON.stringify(got) === JSON.stringify(want)
          ? "same"
          : "DIFFERENT"
        : got.Error !== undefined && got.Error.includes(goReason(want.Error))
          ? "same"
          : "REASON";
    table.push([
      mod.path,
      "-versions",
      want.Error ? `FAIL ${goReason(want.Error)}` : want.Versions.join(" "),
      got.Error ? `FAIL ${goReason(got.Error)}` : got.Versions.join(" "),
      listVerdict,
    ]);
    if (want.Error === undefined) expect.soft(got, `${mod.path} -versions`).toEqual(want);
    else expect.soft(got.Error, `${mod.path} -versions`).toContain(goReason(want.Error));

    const [wantLatest, gotLatest] = await Promise.all([goLatest(direct, mod.path), viaProxy((go) => goLatest(go, mod.path))]);
    const latestVerdict =
      wantLatest.Error === undefined
        ? JSON.stringify(gotLatest) === JSON.stringify(wantLatest)
          ? "same"
          : "DIFFERENT"
        : gotLatest.Error?.includes(goReason(wantLatest.Error))
          ? "same"
          : "REASON";
    const text = (l: typeof wantLatest) => (l.Error ? `FAIL ${goReason(l.Error)}` : `${l.Version} ${l.Time}`);
    table.push([mod.path, "@latest", text(wantLatest), text(gotLatest), latestVerdict]);
    if (wantLatest.Error === undefined) expect.soft(gotLatest, `${mod.path}@latest`).toEqual(wantLatest);
    else expect.soft(gotLatest.Error, `${mod.path}@latest`).toContain(goReason(wantLatest.Error));
  }

  it("pseudo-versions asked for by name: other bases, no base, and the ones go refuses", async () => {
    const root = PROXY_FIXTURES.find((f) => f.name === "root")!;
    const built = fixtures.built.get(root.name)!;
    const mod = `${M}/root`;
    const time = async (i: number) => new Date(Number((await gitShow(built, i, "%ct")).trim()) * 1000);
    const rev = (i: number) => built.commits[i]!.slice(0, 12);
    const cases: [string, RegExp | undefined][] = [
      // Valid: an ancestor's tag that is not the highest (go does not insist on the highest, coderepo.go).
      [pseudo("v1.0.0", await time(5), rev(5)), undefined],
      // Valid: v0 with no base.
      [`v0.0.0-${pseudo(undefined, await time(5), rev(5)).slice("v1.0.0-".length)}`, undefined],
      [pseudo("v1.1.0", await time(1), rev(1)), /invalid pseudo-version: tag \(v1\.1\.0\) found on revision [0-9a-f]{12} is already canonical/],
      [pseudo("v1.1.0", await time(0), rev(0)), /invalid pseudo-version: revision [0-9a-f]{12} is not a descendent of preceding tag \(v1\.1\.0\)/],
      [pseudo("v1.9.0", await time(5), rev(5)), /invalid pseudo-version: preceding tag \(v1\.9\.0\) not found/],
      [pseudo(undefined, await time(5), rev(5)), /invalid pseudo-version: major version without preceding tag must be v0, not v1/],
    ];
    for (const [version, reason] of cases) {
      await compare(mod, version, reason);
      if (reason === undefined) continue;
      // The proxy's own answer: 404, text/plain, go's reason (so the next GOPROXY entry is tried, golang/go#26334).
      const response = await fetch(`${modgate.url}/${mod}/@v/${version}.info`);
      const body = await response.text();
      expect.soft(response.status, body).toBe(404);
      expect.soft(body).toMatch(reason);
    }
  });
});

async function gitShow(built: BuiltRepo, commit: number, format: string): Promise<string> {
  const r = await runOk(toolPath("git"), ["show", "-s", `--format=${format}`, built.commits[commit]!], { cwd: built.dir, env: isolatedGitEnv({}) });
  return r.stdout;
}

/** Besides the fixture's own queries: the default branch and the newest commit's hashes (7, 12, 40 hex). */
function extraQueries(built: BuiltRepo): FixtureQuery[] {
  const newest = built.commits.length - 1;
  return [
    { query: "main", expect: {} },
    { query: { commit: newest, length: 7 }, expect: {} },
    { query: { commit: newest, length: 12 }, expect: {} },
    { query: { commit: newest, length: 40 }, expect: {} },
  ];
}
