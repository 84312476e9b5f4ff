// Upper-case letters through the module proxy, with the real go command. A module path or version
// with an upper-case letter is "!"-case-encoded (go.example.com/fx/Upper → .../!upper, v1.1.0-RC1 →
// v1.1.0-!r!c1), and the go command then escapes each proxy request path with url.PathEscape, "/"
// kept (cmd/go/internal/modfetch/proxy.go pathEscape; docs/go-rules.md §1.1): the "!" reaches
// modgate as "%21" (`/go.example.com/fx/%21upper/@v/list`, `@v/v1.1.0-%21r%21c1.info`).
// proxy-http.e2e.test.ts asks for the literal "!" forms; this asks the go command itself:
// `go list -m -versions` and `go mod download -json` through modgate's proxy (GOPROXY=http://modgate,
// through a response tap that records the request paths go sent) must answer what GOPROXY=direct
// answers for the same repositories (the oracle, harness/go-direct.ts) — Version, Time, Sum, GoModSum.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDirectOracle, type DirectOracle } from "./harness/go-direct.js";
import { goDownload, goVersions, type GoRunner, viaGoProxy } from "./harness/go-answers.js";
import { FIXTURE_HOST, fixtureProxyConfig, startFixtureLab, type FixtureLab, type ProxyFixture } from "./harness/proxy-fixtures.js";
import {
  makeTempDir,
  removeDir,
  requireTools,
  startModgateNode,
  startResponseTap,
  type ResponseTap,
  type RunningModgate,
  type TappedResponse,
} from "./harness/index.js";

const M = `${FIXTURE_HOST}/fx`;
const TOKEN = "glpat-case-encoding";
const goMod = (path: string) => `module ${path}\n\ngo 1.21\n`;
const pkg = (name: string) => `package ${name}\n\nfunc Hello() string { return ${JSON.stringify(name)} }\n`;

/**
 * (a) An upper-case module path element: project fixtures/Upper, module go.example.com/fx/Upper
 * (as proxy-http.e2e.test.ts's `!upper` module), its top version an upper-case pre-release too.
 */
const UPPER: ProxyFixture = {
  name: "Upper",
  history: {
    commits: [
      { files: { "go.mod": goMod(`${M}/Upper`), "u.go": pkg("upper") }, tags: ["v1.0.0"] },
      { files: { "v.go": pkg("upper") }, tags: ["v1.1.0-RC1"] },
    ],
  },
  modules: [
    {
      path: `${M}/Upper`,
      versions: ["v1.0.0", "v1.1.0-RC1"],
      latest: "v1.0.0",
      queries: [
        { query: "v1.0.0", expect: { version: "v1.0.0" } },
        { query: "v1.1.0-RC1", expect: { version: "v1.1.0-RC1" } },
        { query: "latest", expect: { version: "v1.0.0" } },
        { query: "main", expect: { version: "v1.1.0-RC1" } },
      ],
    },
  ],
};

/**
 * (b) Upper-case pre-releases of a lower-case module: before and after a release, and an untagged
 * head whose pseudo-version is built on one (v1.1.0-RC1.0.<time>-<rev>).
 */
const PRERELEASE: ProxyFixture = {
  name: "prerelease",
  history: {
    commits: [
      { files: { "go.mod": goMod(`${M}/prerelease`), "a.go": pkg("prerelease") }, tags: ["v1.0.0-RC1"] },
      { files: { "b.go": pkg("prerelease") }, tags: ["v1.0.0"] },
      { files: { "c.go": pkg("prerelease") }, tags: ["v1.1.0-RC1"] },
      { files: { "d.go": pkg("prerelease") }, committerDate: "2024-06-07T08:09:10+00:00" },
    ],
  },
  modules: [
    {
      path: `${M}/prerelease`,
      versions: ["v1.0.0-RC1", "v1.0.0", "v1.1.0-RC1"],
      latest: "v1.0.0",
      queries: [
        { query: "v1.0.0-RC1", expect: { version: "v1.0.0-RC1" } },
        { query: "v1.0.0", expect: { version: "v1.0.0" } },
        { query: "v1.1.0-RC1", expect: { version: "v1.1.0-RC1" } },
        { query: "latest", expect: { version: "v1.0.0" } },
        { query: "main", expect: { version: /^v1\.1\.0-RC1\.0\.20240607080910-[0-9a-f]{12}$/ } },
      ],
    },
  ],
};

const FIXTURES: ProxyFixture[] = [UPPER, PRERELEASE];

/** The module path as the go command puts it in a proxy URL: `!`-case-encoded, then "!" → "%21". */
const REQUESTED: Record<string, string> = {
  [`${M}/Upper`]: `/${M}/%21upper/@`,
  [`${M}/prerelease`]: `/${M}/prerelease/@`,
};

describe.skipIf(!requireTools("go", "git", "git-http-backend"))("module proxy: upper-case module paths and versions through the go command (%21)", () => {
  let fixtures: FixtureLab;
  let oracle: DirectOracle;
  let modgate: RunningModgate;
  let tap: ResponseTap;
  let configDir: string;

  /** A go command through the tap to modgate's proxy, with a module cache of its own (every answer from modgate). */
  const viaProxy = <T>(ask: (go: GoRunner) => Promise<T>): Promise<T> => viaGoProxy(tap.url, ask);
  const direct: GoRunner = (args) => oracle.go.go(args);

  beforeAll(async () => {
    fixtures = await startFixtureLab(FIXTURES, TOKEN);
    oracle = await startDirectOracle({ gitlabUrl: fixtures.lab.url, fixtures: FIXTURES });
    configDir = await makeTempDir("proxy-case-encoding");
    const configPath = join(configDir, "modgate.yaml");
    await writeFile(configPath, fixtureProxyConfig(FIXTURES, fixtures.lab.url, TOKEN, join(configDir, "store")));
    modgate = await startModgateNode(configPath);
    tap = await startResponseTap(modgate.url);
  });

  afterAll(async () => {
    await Promise.allSettled([tap?.close(), modgate?.close(), oracle?.close()]);
    await Promise.allSettled([fixtures?.close(), configDir && removeDir(configDir)]);
  });

  /** What modgate answered while `ask` ran, and a failure message showing it. */
  async function tapped<T>(ask: () => Promise<T>): Promise<{ result: T; seen: TappedResponse[]; shown: string }> {
    const before = tap.responses.length;
    const result = await ask();
    const seen = tap.responses.slice(before);
    const shown = `\nmodgate answered:\n${seen.map((r) => `  ${r.method} ${r.path} → ${r.status} ${r.status === 200 ? "" : r.body.toString().trim()}`).join("\n")}\nmodgate:\n${modgate.output().slice(-2000)}`;
    return { result, seen, shown };
  }

  /** Every request was for the module, escaped as the go command escapes it, and answered 200. */
  function expectAnswered(modulePath: string, seen: TappedResponse[], shown: string): void {
    expect(seen.length, shown).toBeGreaterThan(0);
    for (const r of seen) {
      expect(r.path.startsWith(REQUESTED[modulePath]!), `${r.path} is not ${REQUESTED[modulePath]}…${shown}`).toBe(true);
      expect(r.status, shown).toBe(200);
    }
  }

  for (const fixture of FIXTURES) {
    for (const mod of fixture.modules) {
      it(`${mod.path}: go list -m -versions = direct mode`, async () => {
        const [want, { result: got, seen, shown }] = await Promise.all([
          goVersions(direct, mod.path),
          tapped(() => viaProxy((go) => goVersions(go, mod.path))),
        ]);
        // The oracle lists what the fixture declares: a vacuous "both failed" proves nothing.
        expect(want, oracle.modgateOutput().slice(-2000)).toEqual({ Versions: mod.versions });
        expect(got, `direct: ${JSON.stringify(want)}${shown}`).toEqual(want);
        expectAnswered(mod.path, seen, shown);
        expect(
          seen.map((r) => r.path),
          shown,
        ).toContain(`${REQUESTED[mod.path]}v/list`);
      });

      for (const q of mod.queries) {
        const query = q.query as string;
        it(`${mod.path}@${query}: go mod download -json = direct mode`, async () => {
          const [want, { result: got, seen, shown }] = await Promise.all([
            goDownload(direct, mod.path, query),
            tapped(() => viaProxy((go) => goDownload(go, mod.path, query))),
          ]);
          expect(want.Error, `direct mode failed: ${want.Error}`).toBeUndefined();
          const version = "version" in q.expect ? q.expect.version! : "";
          if (typeof version === "string") expect(want.Version).toBe(version);
          else expect(want.Version).toMatch(version);
          expect(want.Sum).toMatch(/^h1:/);
          expect(want.GoModSum).toMatch(/^h1:/);
          expect(got, `direct: ${JSON.stringify(want)}${shown}`).toEqual(want);
          expectAnswered(mod.path, seen, shown);
          // An upper-case version was asked for as go escapes it: "RC1" → "!r!c1" → "%21r%21c1".
          if (/[A-Z]/.test(want.Version!)) {
            const escaped = want.Version!.replace(/[A-Z]/g, (c) => `%21${c.toLowerCase()}`);
            expect(
              seen.map((r) => r.path),
              shown,
            ).toContain(`${REQUESTED[mod.path]}v/${escaped}.zip`);
          }
        });
      }
    }
  }
});
