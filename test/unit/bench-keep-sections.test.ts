// `npm run bench` rewrites docs/benchmarks.md; the sections it does not write
// (the Worker zip sizes, the 80 MiB investigation, notes) must survive, in place.
import { describe, expect, it } from "vitest";
import { keepHandWritten, splitSections } from "../../scripts/bench/keep-sections.js";

const OWNED = ["Scenarios", "Workers", "Module proxy", "Problems"];

const previous = [
  "# Benchmarks",
  "",
  "Generated on day 1.",
  "",
  "## Scenarios",
  "",
  "old table",
  "",
  "## Workers",
  "",
  "old workers",
  "",
  "## Zip builds in the Worker (workerd, issue 12)",
  "",
  "hand-written",
  "",
  "### The 80 MiB module",
  "",
  "explained",
  "",
  "## Notes",
  "",
  "more hand-written",
  "",
  "## Module proxy",
  "",
  "old proxy",
  "",
  "## Problems",
  "",
  "- an old problem",
  "",
].join("\n");

describe("keepHandWritten", () => {
  it("replaces the generator's sections and keeps the others after the section they followed", () => {
    const generated = [
      "# Benchmarks",
      "",
      "Generated on day 2.",
      "",
      "## Scenarios",
      "",
      "new table",
      "",
      "## Workers",
      "",
      "new workers",
      "",
      "## Module proxy",
      "",
      "new proxy",
      "",
    ].join("\n");
    const out = keepHandWritten(previous, generated, OWNED);
    expect(splitSections(out).map((s) => s.heading)).toEqual([
      undefined,
      "Scenarios",
      "Workers",
      "Zip builds in the Worker (workerd, issue 12)",
      "Notes",
      "Module proxy",
    ]);
    expect(out).toContain("Generated on day 2.");
    expect(out).toContain("### The 80 MiB module\n\nexplained\n\n## Notes");
    expect(out).not.toContain("old");
    // The old run's problems are the generator's: gone when the new run had none.
    expect(out).not.toContain("an old problem");
    expect(out.endsWith("new proxy\n")).toBe(true);
  });

  it("puts a section whose neighbour is gone before the problems", () => {
    const generated = ["# Benchmarks", "", "## Scenarios", "", "t", "", "## Problems", "", "- now", ""].join("\n");
    const out = keepHandWritten(previous, generated, OWNED);
    expect(splitSections(out).map((s) => s.heading)).toEqual([undefined, "Scenarios", "Zip builds in the Worker (workerd, issue 12)", "Notes", "Problems"]);
  });

  it("writes the generated text as it is when there is no old file or nothing hand-written", () => {
    const generated = "# Benchmarks\n\n## Scenarios\n\nt\n";
    expect(keepHandWritten(undefined, generated, OWNED)).toBe(generated);
    expect(keepHandWritten("# Benchmarks\n\n## Scenarios\n\nold\n", generated, OWNED)).toBe(generated);
  });
});
