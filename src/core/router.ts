// Finds the rule for a request: first the host, then the rule with the most
// path elements, on element boundaries, a literal element beating a template
// variable at the same place. Each host's rules form a trie of path elements,
// so a lookup walks the request's elements and never the list of modules.
import { COMPILED_FORMAT, variableName, type CompiledConfig, type CompiledModule } from "./compiled.js";
import { Rule, type ResolvedModule } from "./rule.js";
import { indexPage, type IndexEntry } from "../render/pages.js";
import { htmlAnswer, publicCache, type PlainAnswer } from "../http/responses.js";
import { LRUCache } from "lru-cache";
import type { DiscoveredRule } from "./discovered-rule.js";

type AnyRule = Rule | DiscoveredRule;

class TrieNode {
  readonly literals = new Map<string, TrieNode>();
  variable?: TrieNode;
  rule?: AnyRule;
}

export type Match =
  | {
      kind: "static";
      module: ResolvedModule;
      /** The request's path below the module root, "" at the root. */
      rest: string;
    }
  | {
      kind: "group";
      rule: DiscoveredRule;
      /** The request's elements below the rule's path: the candidate project path. */
      below: readonly string[];
    };

export class HostRoutes {
  readonly host: string;
  /** The `/` page, rendered once. */
  readonly indexPage: string;
  readonly indexAnswer: PlainAnswer;
  private readonly trie = new TrieNode();

  constructor(host: string, rules: readonly AnyRule[], cacheControl: string) {
    this.host = host;
    const entries: IndexEntry[] = [];
    for (const rule of rules) {
      let node = this.trie;
      for (const element of rule.module.elements) {
        if (variableName(element) !== undefined) {
          node = node.variable ??= new TrieNode();
        } else {
          let next = node.literals.get(element);
          if (!next) node.literals.set(element, (next = new TrieNode()));
          node = next;
        }
      }
      // The config loader rejects duplicates; the first rule wins if one slips through.
      node.rule ??= rule;
      if (!rule.module.private) entries.push(indexEntry(rule));
    }
    this.indexPage = indexPage(host, entries);
    this.indexAnswer = htmlAnswer(this.indexPage, cacheControl);
  }

  /** The module that `elements` (a validated import path below the host) falls in. */
  match(elements: readonly string[]): Match | undefined {
    const values: string[] = [];
    const best = { rule: undefined as AnyRule | undefined, values: [] as string[] };
    findDeepest(this.trie, elements, 0, values, best);
    if (!best.rule) return undefined;
    const depth = best.rule.depth;
    if (!(best.rule instanceof Rule)) return { kind: "group", rule: best.rule, below: elements.slice(depth) };
    return {
      kind: "static",
      module: best.rule.resolve(best.values),
      rest: depth === elements.length ? "" : elements.slice(depth).join("/"),
    };
  }
}

/**
 * Depth-first, literal child before variable child, replacing the best only
 * with a strictly deeper rule: so the deepest rule wins, and among rules of
 * the same depth the one with a literal at the first difference.
 */
function findDeepest(node: TrieNode, elements: readonly string[], i: number, values: string[], best: { rule: AnyRule | undefined; values: string[] }): void {
  if (node.rule && (!best.rule || node.rule.depth > best.rule.depth)) {
    best.rule = node.rule;
    best.values = values.slice();
  }
  if (i === elements.length) return;
  const element = elements[i]!;
  const literal = node.literals.get(element);
  if (literal) findDeepest(literal, elements, i + 1, values, best);
  if (node.variable) {
    values.push(element);
    findDeepest(node.variable, elements, i + 1, values, best);
    values.pop();
  }
}

function indexEntry(rule: AnyRule): IndexEntry {
  const m = rule.module;
  if (!(rule instanceof Rule)) return { pattern: `${m.pattern}/{project}`, isTemplate: true, group: rule.module.group.path };
  const isTemplate = m.elements.some((e) => variableName(e) !== undefined);
  const entry: IndexEntry = { pattern: m.pattern, isTemplate };
  if (!isTemplate) {
    const resolved = rule.resolve([]);
    if (m.browser === "pkgsite") entry.href = `https://pkg.go.dev/${m.pattern}`;
    else if (m.browser === "gitlab" && resolved.gitlab) entry.href = resolved.gitlab.web;
  }
  return entry;
}

/** How many answers a router remembers by Host and target. */
export const ANSWER_MEMO_ENTRIES = 10_000;

export interface RouterOptions {
  /** Makes the rule of each `group:` module; required when the config has any (src/app/assemble.ts). */
  discoveredRule?: (module: DiscoveredRule["module"]) => DiscoveredRule;
  /** The clock discovered answers expire by (the look-ups' own); default Date.now. */
  now?: () => number;
}

export class Router {
  readonly config: CompiledConfig;
  readonly hosts: ReadonlyMap<string, HostRoutes>;
  /** Cache-Control of successful answers. */
  readonly cacheControl: string;
  /** The clock discovered answers expire by: the look-ups' own. */
  readonly now: () => number;
  /**
   * Answers by Host and target (see answer.ts): those that need no GitLab look-up for the
   * config's life (until Infinity), a group rule's until the first look-up it rests on expires.
   */
  readonly answers = new LRUCache<string, { answer: PlainAnswer; until: number }>({ max: ANSWER_MEMO_ENTRIES });
  /** With a single host, every request is answered as that host. */
  private readonly onlyHost?: HostRoutes;
  private readonly discoveredRule?: RouterOptions["discoveredRule"];

  constructor(config: CompiledConfig, options: RouterOptions = {}) {
    if (config.format !== COMPILED_FORMAT) {
      throw new Error(`compiled config has format ${String(config.format)}, this modgate reads ${COMPILED_FORMAT}: rebuild it`);
    }
    this.config = config;
    this.cacheControl = publicCache(config.cacheMaxAge);
    this.now = options.now ?? Date.now;
    this.discoveredRule = options.discoveredRule;
    const byHost = new Map<string, AnyRule[]>();
    for (const module of config.modules) {
      const list = byHost.get(module.host) ?? [];
      list.push(this.ruleFor(module));
      byHost.set(module.host, list);
    }
    const hosts = new Map<string, HostRoutes>();
    for (const [host, rules] of byHost) hosts.set(host, new HostRoutes(host, rules, this.cacheControl));
    this.hosts = hosts;
    if (hosts.size === 1) this.onlyHost = hosts.values().next().value;
  }

  private ruleFor(module: CompiledModule): AnyRule {
    if (!module.group) return new Rule(module);
    if (!this.discoveredRule) throw new Error(`${module.source}: the group rule ${module.pattern} needs discovery (src/app/assemble.ts)`);
    return this.discoveredRule({ ...module, group: module.group });
  }

  /** The routes for a Host header value (any case, port ignored). */
  routesFor(hostHeader: string | undefined | null): HostRoutes | undefined {
    if (this.onlyHost) return this.onlyHost;
    if (!hostHeader) return undefined;
    return this.hosts.get(normalizeHost(hostHeader));
  }
}

/** "Go.Example.com.:443" → "go.example.com"; "user@host" → "host"; "[::1]:80" → "[::1]". */
export function normalizeHost(hostHeader: string): string {
  let host = hostHeader;
  const at = host.lastIndexOf("@");
  if (at >= 0) host = host.slice(at + 1);
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    host = end < 0 ? host : host.slice(0, end + 1);
  } else {
    const colon = host.indexOf(":");
    if (colon >= 0) host = host.slice(0, colon);
  }
  if (host.endsWith(".")) host = host.slice(0, -1);
  return host.toLowerCase();
}
