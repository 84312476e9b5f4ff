// `npm run bench:smoke`: the one-second run of the benchmark (scripts/bench/),
// so it cannot rot. It must finish, print its table with every scenario, and
// leave docs/ alone. Timings are never asserted: they are a report, not a test.
// Its report goes over a copy of docs/benchmarks.md: every part's section must
// be written and every hand-written section of the real file kept.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCENARIOS } from "../../scripts/bench/configs.js";
import { splitSections } from "../../scripts/bench/keep-sections.js";
import { proxyScenarios } from "../../scripts/bench/proxy.js";
import { SECTION } from "../../scripts/bench/report.js";
import { REPO_ROOT, run } from "./harness/index.js";

const DOCS = ["docs/benchmarks.md", "docs/benchmarks.svg"].map((f) => join(REPO_ROOT, f));
const contents = () => DOCS.map((f) => (existsSync(f) ? readFileSync(f, "utf8") : undefined));

describe("npm run bench:smoke", () => {
  it("runs every part, prints a table naming each scenario, and does not touch docs/", { timeout: 300_000 }, async () => {
    const before = contents();
    const out = mkdtempSync(join(tmpdir(), "modgate-bench-smoke-test-"));
    copyFileSync(DOCS[0]!, join(out, "benchmarks.md"));
    const result = await run("npm", ["run", "bench:smoke", "--", "--out", out], {
      cwd: REPO_ROOT,
      env: { ...process.env },
      timeoutMs: 280_000,
    });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const tableLines = result.stdout.split("\n").filter((line) => line.startsWith("|"));
    for (const scenario of [...SCENARIOS, ...proxyScenarios("v1.0.0")]) {
      expect(
        tableLines.some((line) => line.includes(`| ${scenario.name} `)),
        `no table row for "${scenario.name}":\n${result.stdout}`,
      ).toBe(true);
    }
    for (const section of [
      "Scenarios",
      "Scale",
      "Cluster",
      "Memory",
      "Workers",
      "Module proxy, warm",
      "Module proxy, cold download",
      "Module proxy while GitLab fails",
      "Module proxy zips",
      "Private zip, warm",
    ]) {
      expect(result.stdout).toContain(section);
    }
    // Both ways of downloading the long-history module, @latest included, each with its GitLab calls.
    expect(
      tableLines.some((line) => /^\| @latest \(v[\d.]+\) .*archive 1/.test(line)),
      result.stdout,
    ).toBe(true);
    expect(contents()).toEqual(before);
    const written = splitSections(readFileSync(join(out, "benchmarks.md"), "utf8")).map((section) => section.heading);
    rmSync(out, { recursive: true, force: true });
    const generated: string[] = Object.values(SECTION).filter((heading) => heading !== SECTION.problems);
    const handWritten = splitSections(before[0]!).flatMap((section) =>
      section.heading !== undefined && !generated.includes(section.heading) ? [section.heading] : [],
    );
    // The Worker zip sizes (issue 12) are measured by hand, with scripts/bench/worker-zip-sizes.ts.
    expect(handWritten).toContain("Zip builds in the Worker (workerd, issue 12)");
    for (const heading of [...generated, ...handWritten]) expect(written, heading).toContain(heading);
  });
});
