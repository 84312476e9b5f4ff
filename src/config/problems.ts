// Config problems carry their place in the YAML file, so every message reads
// "<file>:<line>:<col>: <what is wrong, and what to write instead>".
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

export type ConfigPath = ReadonlyArray<string | number>;

export interface Problem {
  path: ConfigPath;
  message: string;
  /** Point at the key of the last path element rather than its value. */
  atKey?: boolean;
}

export interface LocatedProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatProblem(p: LocatedProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** A config error's located problems, one per line; any other error's message. */
export function describeConfigError(err: unknown): string {
  if (err instanceof ConfigError) return err.problems.map(formatProblem).join("\n");
  return err instanceof Error ? err.message : String(err);
}

export class ConfigError extends Error {
  readonly problems: readonly LocatedProblem[];
  constructor(problems: readonly LocatedProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** "modules[2].transport" */
export function describePath(path: ConfigPath): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`;
  return out;
}

/** Turns path-based problems into file positions. */
export class Locator {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  locate(problem: Problem): LocatedProblem {
    const offset = this.offsetOf(problem.path, problem.atKey ?? false);
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col, message: problem.message };
  }

  at(offset: number, message: string): LocatedProblem {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col, message };
  }

  /** The deepest node of the path that exists: a missing field points at its parent. */
  private offsetOf(path: ConfigPath, atKey: boolean): number {
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const key = path[i]!;
      const isLast = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === key);
        if (!pair) break;
        if (isLast && atKey) return rangeStart(pair.key) ?? offset;
        node = pair.value;
        offset = rangeStart(pair.value) ?? rangeStart(pair.key) ?? offset;
      } else if (isSeq(node) && typeof key === "number") {
        node = node.items[key];
        if (node === undefined) break;
        offset = rangeStart(node) ?? offset;
      } else {
        break;
      }
    }
    return offset;
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** The closest known key, for "did you mean" hints; undefined when nothing is close. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
