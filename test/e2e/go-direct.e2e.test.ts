// The direct-mode oracle over every proxy fixture: the go command with GOPROXY=direct, through
// modgate's go-import answers and the GitLab stand-in's git, must give exactly the versions,
// successes and failures each fixture declares (the module proxy has to reproduce these).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDirectOracle, type DirectOracle } from "./harness/go-direct.js";
import { PROXY_FIXTURES, queryText, startFixtureLab, type FixtureLab, type FixtureQuery } from "./harness/proxy-fixtures.js";
import { requireTools } from "./harness/index.js";

function matches(expected: string | RegExp, actual: string | undefined): boolean {
  return typeof expected === "string" ? actual === expected : actual !== undefined && expected.test(actual);
}

describe.skipIf(!requireTools("go", "git", "git-http-backend"))("go direct-mode oracle over the proxy fixtures", () => {
  let fixtures: FixtureLab;
  let oracle: DirectOracle;
  const table: string[][] = [];

  beforeAll(async () => {
    fixtures = await startFixtureLab(PROXY_FIXTURES);
    oracle = await startDirectOracle({ gitlabUrl: fixtures.lab.url, fixtures: PROXY_FIXTURES });
  });

  afterAll(async () => {
    if (table.length > 0) {
      const widths = table[0]!.map((_, i) => Math.min(60, Math.max(...table.map((row) => row[i]!.length))));
      console.log(table.map((row) => row.map((cell, i) => cell.slice(0, 60).padEnd(widths[i]!)).join("  ")).join("\n"));
    }
    await oracle?.close();
    await fixtures?.close();
  });

  for (const fixture of PROXY_FIXTURES) {
    for (const mod of fixture.modules) {
      it(`${mod.path}: versions, latest and every query as the fixture declares`, async () => {
        const built = fixtures.built.get(fixture.name)!;
        const versions = await oracle.versions(mod.path);
        table.push([mod.path, "-versions", versions.Error ?? versions.Versions.join(" ")]);
        if (Array.isArray(mod.versions)) expect(versions, oracle.modgateOutput()).toEqual({ Versions: mod.versions });
        else expect(versions.Error, JSON.stringify(versions)).toMatch(mod.versions.error);

        const latest = await oracle.latest(mod.path);
        table.push([mod.path, "@latest", latest.Error ?? `${latest.Version} ${latest.Time}`]);
        if (typeof mod.latest === "object" && "error" in mod.latest) expect(latest.Error).toMatch(mod.latest.error);
        else expect(matches(mod.latest, latest.Version), JSON.stringify(latest)).toBe(true);

        for (const q of mod.queries) {
          const query = queryText(q.query, built);
          const got = await oracle.download(mod.path, query);
          table.push([mod.path, `@${query}`, got.Error ?? `${got.Version} ${got.Time} ${got.Sum}`]);
          const expected: FixtureQuery["expect"] = q.expect;
          if ("error" in expected) {
            expect(got.Error, `${mod.path}@${query}: ${JSON.stringify(got)}`).toMatch(expected.error);
            continue;
          }
          expect(got.Error, `${mod.path}@${query}`).toBeUndefined();
          expect(got.Time, `${mod.path}@${query}`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          expect(got.Sum).toMatch(/^h1:/);
          expect(got.GoModSum).toMatch(/^h1:/);
          if (expected.version !== undefined) expect(matches(expected.version, got.Version), `${mod.path}@${query} → ${got.Version}`).toBe(true);
        }
      });
    }
  }
});
