// The import graph of the source tree, read from the files themselves, and the
// three questions structure.test.ts asks of it: which imports make cycles,
// which folders import each other in a cycle, which files nothing reaches.
// The graph functions are pure (a Map of edges in, plain data out) so that the
// detector itself can be tested on a small graph with known answers.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { posix } from "node:path";
import ts from "typescript";

/** File → the files it imports. Names are repository-relative POSIX paths ("src/core/app.ts"). */
export type Graph = Map<string, Set<string>>;

const SOURCE = /\.(ts|tsx|mts|cts)$/;

/** Every file under `dir` whose name matches `pattern` (TypeScript by default), repository-relative, sorted. */
export function sourceFiles(root: string, dir: string, pattern: RegExp = SOURCE): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(posix.join(root, rel)).sort()) {
      const child = posix.join(rel, name);
      if (statSync(posix.join(root, child)).isDirectory()) walk(child);
      else if (pattern.test(name)) out.push(child);
    }
  };
  walk(dir);
  return out;
}

export interface FileImports {
  /** Static imports and re-exports (`import type` too), import("…") calls and types, import x = require("…"). */
  specifiers: string[];
  /** import(expression) calls whose target cannot be read from the text: a blind spot of the graph. */
  computed: string[];
}

/**
 * The module specifiers a file imports, read from its syntax tree, so an
 * "import" inside a comment, a string or a template is never taken for one.
 */
export function importsOf(fileName: string, text: string): FileImports {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const computed: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) specifiers.push(arg.text);
      else computed.push(node.getText(file));
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) specifiers.push(arg.literal.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (ts.isStringLiteral(expr)) specifiers.push(expr.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { specifiers, computed };
}

/** What an emitted extension is written as in the sources (NodeNext: "./x.js" names ./x.ts). */
const JS_TO_TS: Record<string, string[]> = {
  ".js": [".ts", ".tsx", ".d.ts"],
  ".jsx": [".tsx"],
  ".mjs": [".mts", ".d.mts"],
  ".cjs": [".cts", ".d.cts"],
};

/**
 * The file a relative specifier names. Undefined for a bare specifier (a
 * package, "node:fs", an alias such as "modgate:compiled-config"): not an edge
 * between our files. Null for a relative specifier that names no file.
 */
export function resolveSpecifier(from: string, specifier: string, isFile: (path: string) => boolean): string | null | undefined {
  if (!/^\.\.?(\/|$)/.test(specifier)) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const ext = posix.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  const candidates = JS_TO_TS[ext] ? [...JS_TO_TS[ext].map((e) => stem + e), base] : [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`];
  return candidates.find(isFile) ?? null;
}

export interface ScannedTree {
  /** Every source file under the folder, with the source files (anywhere in the repository) it imports. */
  graph: Graph;
  /** Imports the graph cannot follow: relative specifiers naming no file, computed import() calls. */
  blind: string[];
}

/**
 * The import graph of the files under `dir` (TypeScript by default; `pattern`
 * may add JavaScript). Edges go to TypeScript files only, and may leave `dir`.
 */
export function scanImports(root: string, dir: string, pattern: RegExp = SOURCE): ScannedTree {
  const isFile = (p: string) => existsSync(posix.join(root, p)) && statSync(posix.join(root, p)).isFile();
  const graph: Graph = new Map();
  const blind: string[] = [];
  for (const file of sourceFiles(root, dir, pattern)) {
    const { specifiers, computed } = importsOf(file, readFileSync(posix.join(root, file), "utf8"));
    const edges = new Set<string>();
    for (const specifier of specifiers) {
      const target = resolveSpecifier(file, specifier, isFile);
      if (target === null) blind.push(`${file}: "${specifier}" names no file`);
      else if (target !== undefined && SOURCE.test(target)) edges.add(target);
    }
    for (const call of computed) blind.push(`${file}: ${call} has a computed specifier`);
    graph.set(file, edges);
  }
  return { graph, blind };
}

/** The graph restricted to `keep`: nodes and edges outside it dropped. */
export function restrict(graph: Graph, keep: (node: string) => boolean): Graph {
  const out: Graph = new Map();
  for (const [node, edges] of graph) if (keep(node)) out.set(node, new Set([...edges].filter(keep)));
  return out;
}

const sorted = (nodes: Iterable<string>) => [...nodes].sort();

/** Tarjan's strongly connected components, each sorted, in a deterministic order. */
export function stronglyConnected(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of sorted(graph.get(v) ?? [])) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component.sort());
    }
  };
  for (const v of sorted(graph.keys())) if (!index.has(v)) connect(v);
  return components;
}

/**
 * The cycles of a graph, as chains that start and end at the same node
 * ([a, b, a]). Listing every elementary cycle can explode, so each component
 * gives the shortest cycle through each of its edges (an edge already on a
 * listed cycle gives none): every import that takes part in a cycle is shown,
 * which is what breaking the cycles needs.
 */
export function cycles(graph: Graph): string[][] {
  const found: string[][] = [];
  const seen = new Set<string>();
  for (const component of stronglyConnected(graph)) {
    const inside = new Set(component);
    const covered = new Set<string>();
    for (const from of component) {
      for (const to of sorted(graph.get(from) ?? [])) {
        if (!inside.has(to) || covered.has(`${from}\0${to}`)) continue;
        const path = shortestPath(graph, to, from, inside);
        if (!path) continue;
        const cycle = rotate([from, ...path]);
        for (let i = 0; i + 1 < cycle.length; i++) covered.add(`${cycle[i]}\0${cycle[i + 1]}`);
        const key = cycle.join("\0");
        if (!seen.has(key)) {
          seen.add(key);
          found.push(cycle);
        }
      }
    }
  }
  return found;
}

/** Breadth-first: the shortest path from → to inside `within`, both ends included. */
function shortestPath(graph: Graph, from: string, to: string, within: Set<string>): string[] | undefined {
  const previous = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    if (v === to) {
      const path: string[] = [];
      for (let w: string | null = v; w !== null; w = previous.get(w)!) path.unshift(w);
      return path;
    }
    for (const w of sorted(graph.get(v) ?? [])) {
      if (within.has(w) && !previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return undefined;
}

/** [b, c, a, b] → [a, b, c, a]: the same cycle always reads the same way. */
function rotate(cycle: string[]): string[] {
  const ring = cycle.slice(0, -1);
  const start = ring.indexOf(sorted(ring)[0]!);
  const turned = [...ring.slice(start), ...ring.slice(0, start)];
  return [...turned, turned[0]!];
}

/** Every node reachable from `roots` (roots included). */
export function reachable(graph: Graph, roots: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    stack.push(...(graph.get(v) ?? []));
  }
  return seen;
}

/** The top-level folder a file belongs to: src/proxy/zip/fold.ts → src/proxy; a file directly in src/ is its own. */
export function folderOf(file: string): string {
  const parts = file.split("/");
  return parts.length > 2 ? parts.slice(0, 2).join("/") : file;
}

export interface FolderGraph {
  graph: Graph;
  /** "a\0b" → the file imports (sorted) that make folder a import folder b. */
  because: Map<string, Array<[string, string]>>;
}

/** The graph of folders: a → b when a file of a imports a file of b (imports within a folder are dropped). */
export function folderGraph(graph: Graph, folder: (file: string) => string = folderOf): FolderGraph {
  const folders: Graph = new Map();
  const because = new Map<string, Array<[string, string]>>();
  for (const from of sorted(graph.keys())) {
    const a = folder(from);
    if (!folders.has(a)) folders.set(a, new Set());
    for (const to of sorted(graph.get(from)!)) {
      const b = folder(to);
      if (a === b) continue;
      folders.get(a)!.add(b);
      const key = `${a}\0${b}`;
      because.set(key, [...(because.get(key) ?? []), [from, to]]);
    }
  }
  return { graph: folders, because };
}
