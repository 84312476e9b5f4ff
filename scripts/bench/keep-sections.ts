// docs/benchmarks.md is written by `npm run bench`, but some of its sections
// are hand-written: measurements no part of the bench makes (the Worker zip
// sizes of scripts/bench/worker-zip-sizes.ts, the 80 MiB module's
// investigation, issue 12) and notes on a run. Rewriting the file must not
// lose them, so the new report keeps every `## ` section of the old file whose
// heading the generator does not own, in the place it had: after the section
// that came before it (or at the end when that one is gone).

/** The generator's last section when there were problems (report.ts SECTION.problems). */
const PROBLEMS = "Problems";

interface Section {
  /** The heading's text without "## "; undefined for the text before the first heading. */
  heading?: string;
  text: string;
}

/** The file cut at each line starting with "## " (a "### " stays inside its section). */
export function splitSections(markdown: string): Section[] {
  const sections: Section[] = [];
  let current: Section = { text: "" };
  for (const line of markdown.split(/(?<=\n)/)) {
    const h = /^## (.*?)\s*$/.exec(line);
    if (h) {
      sections.push(current);
      current = { heading: h[1]!, text: "" };
    }
    current.text += line;
  }
  sections.push(current);
  return sections.filter((s) => s.heading !== undefined || s.text !== "");
}

/**
 * `generated` with the sections of `previous` whose heading is not in `owned`
 * put back after the section they followed. A hand-written section that
 * followed another hand-written one stays after it.
 */
export function keepHandWritten(previous: string | undefined, generated: string, owned: readonly string[]): string {
  if (previous === undefined) return generated;
  const ownedSet = new Set(owned);
  const old = splitSections(previous);
  const out = splitSections(generated);
  const kept = old.filter((s) => s.heading !== undefined && !ownedSet.has(s.heading));
  if (kept.length === 0) return generated;
  for (const section of kept) {
    if (out.some((s) => s.heading === section.heading)) continue;
    // Only the text before the first heading has none, so `undefined` matches it in both files.
    const before = old[old.indexOf(section) - 1];
    const after = before === undefined ? -1 : out.findIndex((s) => s.heading === before.heading);
    // With its neighbour gone, before the problems, which stay last.
    const problems = out.findIndex((s) => s.heading === PROBLEMS);
    out.splice(after >= 0 ? after + 1 : problems >= 0 ? problems : out.length, 0, section);
  }
  return out
    .map((s) => s.text.replace(/\n*$/, "\n\n"))
    .join("")
    .replace(/\n*$/, "\n");
}
