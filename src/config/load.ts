// YAML text → checked, compiled config, or every problem at once with its
// file, line and column. This runs once per load (or at Worker build time);
// requests only ever see the compiled result.
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { COMPILED_FORMAT, type CompiledConfig, type CompiledGitlab, type CompiledModule } from "../core/compiled.js";
import { DEFAULTS } from "../core/defaults.js";
import { expandVariables, type Environment } from "./variables.js";
import { GitlabSchema, ModuleSchema, TopSchema, knownKeys } from "./schema.js";
import { checkGitlab, compileModule, ruleShape, type GitlabSettings } from "./rules.js";
import { compileServerLimits } from "./server-limits.js";
import { ConfigError, Locator, closest, describePath, type ConfigPath, type LocatedProblem, type Problem } from "./problems.js";

export interface CompileOptions {
  /** Where ${VAR} references are looked up; none are defined by default. */
  env?: Environment;
  /** Keep gitlab.token as a ${VAR} reference (Worker builds: it comes from a secret at run time). */
  keepTokenReference?: boolean;
}

/** Compiles the text of a config file, or throws ConfigError listing every problem. */
export function compileConfig(text: string, file: string, options: CompileOptions = {}): CompiledConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locator = new Locator(file, doc, lineCounter);

  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => locator.at(e.pos[0], `YAML: ${yamlMessage(e.code, e.message)}`)));
  }
  const written: unknown = doc.toJS();
  if (written === null || typeof written !== "object" || Array.isArray(written)) {
    throw new ConfigError([locator.at(0, "the config must be a mapping with gitlab:, cacheMaxAge: and modules: (see config/modgate.yaml)")]);
  }

  const problems: Problem[] = [];
  const keep = options.keepTokenReference ? [["gitlab", "token"]] : [];
  const data = expandVariables(written, { env: options.env ?? {}, keep }, problems) as Record<string, unknown>;
  const top = parseReportingAll(TopSchema, data, [], problems);

  const gitlabMissing = data.gitlab === undefined;
  let gitlab: GitlabSettings | undefined;
  // When another top-level field is wrong, the gitlab: section still counts, so
  // the modules that need it are checked too.
  const gitlabInput = top ? top.gitlab : GitlabSchema.safeParse(data.gitlab).data;
  if (gitlabInput) gitlab = checkGitlab(gitlabInput, problems);

  const modules: CompiledModule[] = [];
  const modulePaths = new Map<CompiledModule, ConfigPath>();
  const entries = Array.isArray(data.modules) ? data.modules : [];
  entries.forEach((entry, i) => {
    const at: ConfigPath = ["modules", i];
    const parsed = parseReportingAll(ModuleSchema, entry, at, problems);
    if (!parsed) return;
    const own: Problem[] = [];
    const source = `${file}:${locator.locate({ path: at, message: "" }).line}`;
    const compiled = compileModule(parsed, gitlab, gitlabMissing, source, own, top?.proxy?.enabled === true);
    problems.push(...own.map((p) => ({ ...p, path: [...at, ...p.path] })));
    if (compiled) {
      modules.push(compiled);
      modulePaths.set(compiled, at);
    }
  });
  problems.push(...duplicateRules(modules, modulePaths));
  const server = compileServerLimits(top?.server, problems);
  if (top?.proxy?.enabled) problems.push(...proxyConflicts(modules, modulePaths, top.proxy.url));
  problems.push(...failedAuthConflicts(top?.proxy?.failedAuth));
  for (const m of modules) {
    if (m.proxyBase === undefined) continue;
    if (!top?.proxy?.enabled) {
      problems.push({
        path: [...modulePaths.get(m)!, "transport"],
        message: `transport: proxy answers with modgate's module proxy: set proxy.enabled: true (and proxy.url if clients reach it elsewhere than https://${m.host})`,
      });
    }
    m.proxyBase = (top?.proxy?.url ?? `https://${m.host}`).replace(/\/+$/, "");
  }

  if (problems.length > 0) {
    const located = problems.map((p) => locator.locate(p));
    throw new ConfigError(sortProblems(located));
  }
  const compiled: CompiledConfig = {
    format: COMPILED_FORMAT,
    cacheMaxAge: top?.cacheMaxAge ?? DEFAULTS.cacheMaxAge,
    discovery: {
      cacheTtlSeconds: top?.discovery?.cacheTtl ?? DEFAULTS.discovery.cacheTtlSeconds,
      negativeCacheTtlSeconds: top?.discovery?.negativeCacheTtl ?? DEFAULTS.discovery.negativeCacheTtlSeconds,
      cacheEntries: top?.discovery?.cacheEntries ?? DEFAULTS.discovery.cacheEntries,
    },
    server,
    proxy: {
      enabled: top?.proxy?.enabled ?? false,
      ...(top?.proxy?.url === undefined ? {} : { url: top.proxy.url.replace(/\/+$/, "") }),
      cacheDir: top?.proxy?.cacheDir ?? DEFAULTS.proxy.cacheDir,
      listTtlSeconds: top?.proxy?.listTtl ?? DEFAULTS.proxy.listTtlSeconds,
      authTtlSeconds: top?.proxy?.authTtl ?? DEFAULTS.proxy.authTtlSeconds,
      failedAuth: {
        perClient: top?.proxy?.failedAuth?.perClient ?? DEFAULTS.proxy.failedAuth.perClient,
        total: top?.proxy?.failedAuth?.total ?? DEFAULTS.proxy.failedAuth.total,
        windowSeconds: top?.proxy?.failedAuth?.window ?? DEFAULTS.proxy.failedAuth.windowSeconds,
      },
      maxConcurrentBuilds: top?.proxy?.maxConcurrentBuilds ?? DEFAULTS.proxy.maxConcurrentBuilds,
    },
    modules,
  };
  // The API is needed by group rules, and by the proxy for every GitLab project.
  if (gitlab && (modules.some((m) => m.group) || compiled.proxy.enabled)) {
    const api: CompiledGitlab = {
      url: gitlab.url,
      ssh: gitlab.ssh,
      apiTimeoutMs: gitlab.apiTimeoutMs,
      maxConcurrentCalls: gitlab.maxConcurrentCalls,
      maxConcurrentChecks: gitlab.maxConcurrentChecks,
    };
    if (gitlab.token !== undefined) api.token = gitlab.token;
    compiled.gitlab = api;
  }
  return compiled;
}

function duplicateRules(modules: readonly CompiledModule[], paths: Map<CompiledModule, ConfigPath>): Problem[] {
  const seen = new Map<string, CompiledModule>();
  const problems: Problem[] = [];
  for (const m of modules) {
    const shape = ruleShape(m);
    const first = seen.get(shape);
    if (first) {
      problems.push({
        path: [...paths.get(m)!, "path"],
        message: `duplicate rule: ${m.pattern} matches the same import paths as ${first.pattern} (${first.source}); remove one`,
      });
    } else {
      seen.set(shape, m);
    }
  }
  return problems;
}

/**
 * Parses `value`, adding its problems. A typo'd key alone does not stop the
 * checks of the rest: the value is parsed again without the unknown keys, so
 * one run reports everything wrong with the file.
 */
function parseReportingAll<T>(schema: z.ZodType<T>, value: unknown, at: ConfigPath, problems: Problem[]): T | undefined {
  const first = schema.safeParse(value);
  if (first.success) return first.data;
  problems.push(...fromZod(first.error, value, at));
  if (!first.error.issues.every((i) => i.code === "unrecognized_keys")) return undefined;
  const second = schema.safeParse(withoutKeys(value, first.error.issues));
  return second.success ? second.data : undefined;
}

/** A copy of `value` without the keys that zod reported as unknown. */
function withoutKeys(value: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(value);
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const target = valueAt(copy, issue.path as Array<string | number>) as Record<string, unknown>;
    for (const key of issue.keys) delete target[key];
  }
  return copy;
}

/** zod's issues, reworded to name the field and, for typos, the key meant. */
function fromZod(error: z.ZodError, value: unknown, at: ConfigPath): Problem[] {
  const problems: Problem[] = [];
  // A misspelt required key is reported once, as the misspelling, not also as missing.
  const guessed = new Set<string>();
  for (const issue of error.issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const known = knownKeys([...at, ...(issue.path as Array<string | number>)]);
    for (const key of issue.keys) {
      const guess = closest(key, known);
      if (guess) guessed.add(describePath([...at, ...(issue.path as Array<string | number>), guess]));
    }
  }
  for (const issue of error.issues) {
    const path = [...at, ...(issue.path as Array<string | number>)];
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(path);
      for (const key of issue.keys) {
        const guess = closest(key, known);
        const hint = guess ? `did you mean ${guess}?` : `known keys: ${known.join(", ")}`;
        problems.push({
          path: [...path, key],
          atKey: true,
          message: `unknown key ${JSON.stringify(key)} in ${describePath(path) || "the top level"}: ${hint}`,
        });
      }
    } else if (issue.code === "invalid_type" && valueAt(value, issue.path as Array<string | number>) === undefined) {
      if (guessed.has(describePath(path))) continue;
      const key = path[path.length - 1];
      problems.push({ path, message: `missing required key ${String(key)}: in ${describePath(path.slice(0, -1)) || "the top level"}` });
    } else {
      problems.push({ path, message: `${describePath(path)}: ${issue.message}` });
    }
  }
  return problems;
}

function valueAt(value: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function sortProblems(problems: LocatedProblem[]): LocatedProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

function yamlMessage(code: string, message: string): string {
  if (code === "MULTIPLE_DOCS") return "the file holds more than one YAML document (a second ---): keep one";
  return firstLine(message);
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * With the proxy on, `/sumdb/...` is the checksum database's (always 404,
 * so the go command asks it directly): no rule may own that path. And the
 * proxy's URL must be one a client can use as a GOPROXY base.
 */
function proxyConflicts(modules: readonly CompiledModule[], paths: Map<CompiledModule, ConfigPath>, url: string | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const m of modules) {
    if (m.elements[0] === "sumdb") {
      problems.push({
        path: [...paths.get(m)!, "path"],
        message: `${m.pattern}: with proxy.enabled, /sumdb/ belongs to the checksum database protocol; choose another path`,
      });
    }
  }
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:") || parsed.username || parsed.password || parsed.search || parsed.hash) {
      problems.push({
        path: ["proxy", "url"],
        message: `proxy.url ${JSON.stringify(url)} must be an https:// (or http://) URL without credentials, query or fragment, like https://go.example.com`,
      });
    }
  }
  return problems;
}

/** proxy.failedAuth: one client's share cannot be more than everyone's. */
function failedAuthConflicts(input: { perClient?: number; total?: number } | undefined): Problem[] {
  const perClient = input?.perClient ?? DEFAULTS.proxy.failedAuth.perClient;
  const total = input?.total ?? DEFAULTS.proxy.failedAuth.total;
  if (perClient <= total) return [];
  const field = input?.perClient !== undefined ? "perClient" : "total";
  return [
    {
      path: ["proxy", "failedAuth", field],
      message: `proxy.failedAuth.perClient (${perClient}) is more than proxy.failedAuth.total (${total}): one client could use every client's share; make perClient at most total`,
    },
  ];
}
