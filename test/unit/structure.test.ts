// The shape of src/, computed from its imports (never from a hand-kept list):
// no import cycles between files, none between top-level folders, and no file
// that the runtime never loads. A failure prints what to fix: each cycle as a
// chain of files, each folder cycle with the imports that make it, each
// unreachable file.
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { cycles, folderGraph, importsOf, reachable, resolveSpecifier, restrict, scanImports, type Graph } from "./import-graph.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const read = (file: string) => readFileSync(posix.join(ROOT, file), "utf8");

const inSrc = (file: string) => file.startsWith("src/");
const src = scanImports(ROOT, "src");
const graph = restrict(src.graph, inSrc);
// scripts/ holds .ts and .mjs files; only their imports of src/ matter here.
const scripts = scanImports(ROOT, "scripts", /\.(ts|mts|cts|js|mjs|cjs)$/);

const chain = (nodes: string[]) => nodes.join(" → ");

/** A failure whose message is the report itself, one finding a line. */
function report(title: string, lines: string[]): void {
  if (lines.length > 0) expect.fail(`${title}\n\n${lines.join("\n")}\n`);
}

/**
 * Where the runtime starts, read from the files that say so:
 * - package.json "bin" and "main" name the Node build (dist/…js); tsconfig.build.json's
 *   outDir → rootDir maps them back to the sources (dist/node/cli.js → src/node/cli.ts);
 * - wrangler.toml's top-level `main` is the Worker entry (src/worker.ts);
 * - every src/ file that a file of scripts/ imports: the build and dev tooling
 *   (scripts/compile-worker-config.ts compiles the Worker's config with src/config).
 */
function entryPoints(): Map<string, string> {
  const entries = new Map<string, string>();
  const pkg = JSON.parse(read("package.json")) as { bin?: string | Record<string, string>; main?: string };
  const build = ts.readConfigFile(posix.join(ROOT, "tsconfig.build.json"), ts.sys.readFile).config as {
    compilerOptions: { outDir: string; rootDir: string };
  };
  const outDir = posix.normalize(build.compilerOptions.outDir).replace(/\/$/, "") + "/";
  const rootDir = posix.normalize(build.compilerOptions.rootDir).replace(/\/$/, "") + "/";
  const bins = typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {});
  for (const built of [...bins, ...(pkg.main ? [pkg.main] : [])]) {
    const file = posix.normalize(built);
    if (!file.startsWith(outDir)) continue;
    entries.set(rootDir + file.slice(outDir.length).replace(/\.js$/, ".ts"), `package.json (${built})`);
  }
  const wranglerTop = read("wrangler.toml").split(/^\[/m)[0]!;
  const workerMain = /^main\s*=\s*"([^"]+)"/m.exec(wranglerTop)?.[1];
  if (workerMain) entries.set(posix.normalize(workerMain), "wrangler.toml main");
  for (const [script, targets] of scripts.graph) {
    for (const target of targets) if (inSrc(target) && !entries.has(target)) entries.set(target, `imported by ${script}`);
  }
  return entries;
}

describe("src/ structure", () => {
  it("the graph follows every import (no relative import naming no file, no computed import())", () => {
    // Otherwise the rules below would pass by not seeing an edge.
    report("Imports the structure test cannot follow:", [...src.blind, ...scripts.blind]);
  });

  // A cycle means no file of it can be understood, tested or moved without
  // the others, and the ESM load order inside it decides which of them sees
  // the others' bindings uninitialised. `import type` counts: a type cycle is
  // still a layering cycle, and one value import turns it into a runtime one.
  it("has no import cycle between files", () => {
    const found = cycles(graph);
    report(`${found.length} import cycle(s) between files of src/ (the shortest cycle through each import that is on one):`, found.map(chain));
  });

  // Folders are the layers (core, config, discovery, proxy, node, render, the
  // Worker entry): each may use the ones below it, never the ones above.
  // Two folders that import each other are one layer in two places.
  it("has no import cycle between top-level folders", () => {
    const folders = folderGraph(graph);
    const found = cycles(folders.graph);
    const lines: string[] = [];
    for (const cycle of found) {
      lines.push(chain(cycle));
      for (let i = 0; i + 1 < cycle.length; i++) {
        const because = folders.because.get(`${cycle[i]}\0${cycle[i + 1]}`)!;
        const more = because.length > 1 ? `  (+${because.length - 1} more)` : "";
        lines.push(`    ${cycle[i]} → ${cycle[i + 1]}: ${because[0]![0]} imports ${because[0]![1]}${more}`);
      }
    }
    report(`${found.length} import cycle(s) between top-level folders of src/:`, lines);
  });

  it("takes its entry points from package.json, wrangler.toml and scripts/, and they exist", () => {
    const entries = entryPoints();
    expect([...entries.keys()]).toEqual(expect.arrayContaining(["src/node/cli.ts", "src/worker.ts"]));
    report(
      "Entry points that are not files of src/:",
      [...entries].filter(([file]) => !graph.has(file)).map(([file, why]) => `${file} (${why})`),
    );
  });

  // A file only tests import is dead code that still costs reading, keeping
  // green and reviewing. `.d.ts` files are exempt: they declare, nothing imports them.
  it("has no file the runtime never loads", () => {
    const loaded = reachable(graph, entryPoints().keys());
    report(
      "Files of src/ that no entry point reaches (only tests, or nothing, import them):",
      [...graph.keys()].filter((file) => !loaded.has(file) && !file.endsWith(".d.ts")),
    );
  });
});

describe("the structure detector", () => {
  const g = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

  it("finds a known cycle, and none in an acyclic graph", () => {
    // a → b → c → a is a cycle; c → d and e → a hang off it.
    const withCycle = g({ a: ["b"], b: ["c"], c: ["a", "d"], d: [], e: ["a"] });
    expect(cycles(withCycle)).toEqual([["a", "b", "c", "a"]]);
    expect(cycles(g({ a: ["b", "c"], b: ["c"], c: [] }))).toEqual([]);
    expect(cycles(g({ a: ["a"] }))).toEqual([["a", "a"]]);
    // Two cycles through a: each import on a cycle is shown on one.
    expect(cycles(g({ a: ["b", "c"], b: ["a"], c: ["a"] }))).toEqual([
      ["a", "b", "a"],
      ["a", "c", "a"],
    ]);
  });

  it("finds a known unreachable node", () => {
    const withCycle = g({ a: ["b"], b: ["c"], c: ["a", "d"], d: [], e: ["a"] });
    expect([...reachable(withCycle, ["a"])].sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("finds a folder cycle that no file cycle makes, and the imports that make it", () => {
    const files = g({
      "src/x/a.ts": ["src/y/b.ts"],
      "src/y/b.ts": [],
      "src/y/c.ts": ["src/x/d.ts", "src/main.ts"],
      "src/x/d.ts": [],
      "src/main.ts": [],
    });
    expect(cycles(files)).toEqual([]);
    const folders = folderGraph(files);
    expect(cycles(folders.graph)).toEqual([["src/x", "src/y", "src/x"]]);
    expect(folders.because.get("src/y\0src/x")).toEqual([["src/y/c.ts", "src/x/d.ts"]]);
    expect(folders.graph.get("src/y")).toEqual(new Set(["src/x", "src/main.ts"]));
  });

  it("reads imports from the syntax tree, not from comments or strings", () => {
    const text = [
      `// import { a } from "./commented.js";`,
      `/* export * from './block-comment.js'; */`,
      `const s = "import('./in-a-string.js')";`,
      "const t = `import x from './in-a-template.js'`;",
      `import { b } from "./double.js";`,
      `import type { C } from './single.js';`,
      `export { d } from "./re-export.js";`,
      `export type * from './type-re-export.js';`,
      `import "./side-effect.js";`,
      `const e = await import('./dynamic.js');`,
      `type F = import("./import-type.js").F;`,
      `const g = await import(name);`,
    ].join("\n");
    expect(importsOf("x.ts", text)).toEqual({
      specifiers: ["./double.js", "./single.js", "./re-export.js", "./type-re-export.js", "./side-effect.js", "./dynamic.js", "./import-type.js"],
      computed: ["import(name)"],
    });
  });

  it("resolves .js specifiers to the .ts sources, and ignores packages", () => {
    const files = new Set(["src/core/app.ts", "src/proxy/zip/index.ts"]);
    const isFile = (p: string) => files.has(p);
    expect(resolveSpecifier("src/proxy/service.ts", "../core/app.js", isFile)).toBe("src/core/app.ts");
    expect(resolveSpecifier("src/proxy/service.ts", "./zip/index.js", isFile)).toBe("src/proxy/zip/index.ts");
    expect(resolveSpecifier("src/proxy/service.ts", "./missing.js", isFile)).toBeNull();
    expect(resolveSpecifier("src/worker.ts", "hono", isFile)).toBeUndefined();
    expect(resolveSpecifier("src/worker.ts", "modgate:compiled-config", isFile)).toBeUndefined();
  });
});
