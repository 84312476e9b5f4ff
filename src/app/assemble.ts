// The assembly: the one file that wires a compiled config into what a runtime
// serves — the go-get core's router, GitLab discovery for group rules, the
// module proxy with the runtime's content store. Nothing below src/app imports
// it. Each runtime brings its own cache (Node: an LRU; Workers: the Cache API),
// its store and, on Workers, the env holding the token secret.
import type { CompiledConfig } from "../core/compiled.js";
import { Router } from "../core/router.js";
import { resolveReference, type Environment } from "../config/variables.js";
import type { LookupCache } from "../discovery/lookup-cache.js";
import { ProjectLookup, type LookupEvent } from "../discovery/project-lookup.js";
import type { GitlabState } from "../gitlab/health.js";
import { GroupRule } from "../discovery/group-rule.js";
import { ProxyService, type ProxyEvent } from "../proxy/service.js";
import type { Modgate } from "./modgate.js";

export type { Modgate } from "./modgate.js";
import { locateModule } from "./locate.js";
import type { ContentStore } from "../proxy/store/store.js";
import { MemoryStore } from "../proxy/store/memory-store.js";

export interface Runtime {
  /** Where the module proxy keeps immutable versions; without it the proxy keeps them in memory. */
  store?: (config: CompiledConfig) => ContentStore;
  onProxyEvent?: (event: ProxyEvent) => void;
  cache: (config: CompiledConfig) => LookupCache;
  /** Where a "${NAME}" token reference is resolved (Worker secrets). */
  env?: Environment;
  onEvent?: (event: LookupEvent) => void;
  /** Once per change of GitLab's state: failing (with the cause) or recovered. */
  onGitlabState?: (state: GitlabState) => void;
  fetch?: typeof fetch;
  /** The clock of look-ups and of the answers resting on them; default Date.now. */
  now?: () => number;
}

export function assemble(config: CompiledConfig, runtime: Runtime): Modgate {
  const gitlab = config.gitlab;
  if (!gitlab) return { config, router: new Router(config) };
  const { url, apiTimeoutMs, token, maxConcurrentCalls } = gitlab;
  const resolved = token === undefined ? {} : resolveReference(token, runtime.env ?? {});
  const lookup = new ProjectLookup({
    api: {
      url,
      apiTimeoutMs,
      ...(maxConcurrentCalls === undefined ? {} : { maxConcurrentCalls }),
      ...(resolved.value === undefined ? {} : { token: resolved.value }),
    },
    discovery: config.discovery,
    cache: runtime.cache(config),
    ...(resolved.missing ? { misconfigured: `modgate's GitLab token is not configured (set the secret ${resolved.missing})` } : {}),
    ...(runtime.onEvent ? { onEvent: runtime.onEvent } : {}),
    ...(runtime.onGitlabState ? { onStateChange: runtime.onGitlabState } : {}),
    ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
    ...(runtime.now ? { now: runtime.now } : {}),
  });
  const router = new Router(config, {
    discoveredRule: (module) => new GroupRule(module, gitlab, lookup),
    now: lookup.now,
  });
  const proxy = config.proxy.enabled
    ? new ProxyService({
        locate: (modulePath) => locateModule(router, modulePath),
        store: runtime.store?.(config) ?? new MemoryStore(),
        gitlab: { url, apiTimeoutMs, ...(resolved.value === undefined ? {} : { token: resolved.value }) },
        // The proxy's calls take slots of the same cap as discovery's (issue 9).
        acquire: () => lookup.gate.acquire(),
        health: lookup.health,
        listTtlSeconds: config.proxy.listTtlSeconds,
        authTtlSeconds: config.proxy.authTtlSeconds,
        ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
        ...(runtime.onProxyEvent ? { onEvent: runtime.onProxyEvent } : {}),
      })
    : undefined;
  return proxy ? { config, router, proxy } : { config, router };
}
