// The assembly: the one file that wires a compiled config into what a runtime
// serves — the go-get core's router, the one GitLab client, GitLab discovery
// for group rules, the module proxy with the runtime's content store. Nothing
// below src/app imports it. Each runtime brings its own cache (Node: an LRU; Workers: the Cache API),
// its store and, on Workers, the env holding the token secret.
import type { CompiledConfig, CompiledFailedAuth } from "../core/compiled.js";
import { Router } from "../core/router.js";
import { resolveReference, type Environment } from "../config/variables.js";
import type { LookupCache } from "../discovery/lookup-cache.js";
import { ProjectLookup, type LookupEvent } from "../discovery/project-lookup.js";
import type { GitlabState } from "../gitlab/health.js";
import { GitlabClient } from "../gitlab/client.js";
import { DEFAULTS } from "../core/defaults.js";
import { GroupRule } from "../discovery/group-rule.js";
import { ProxyService, type ProxyEvent } from "../proxy/service.js";
import type { ContentStore } from "../proxy/store/store.js";
import { MemoryStore } from "../proxy/store/memory-store.js";
import type { Modgate } from "./modgate.js";
import { locateModule } from "./locate.js";

export type { Modgate } from "./modgate.js";

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
  /**
   * Processes serving with one address and counts of their own (`serve --workers N`): the cap
   * on rejected credential checks from all clients (proxy.failedAuth.total) is GitLab's view of
   * modgate's one address, so each process gets its share of it. Default 1.
   */
  processes?: number;
}

export function assemble(config: CompiledConfig, runtime: Runtime): Modgate {
  const gitlab = config.gitlab;
  if (!gitlab) return { config, router: new Router(config) };
  const { url, apiTimeoutMs, token, maxConcurrentCalls, maxConcurrentChecks } = gitlab;
  const resolved = token === undefined ? {} : resolveReference(token, runtime.env ?? {});
  const onProxyEvent = runtime.onProxyEvent;
  // One client for everything that talks to GitLab: discovery and the proxy share its cap on
  // sockets (issue 9) and its circuit (one operator line per change of GitLab's state, whoever saw it).
  const client = new GitlabClient({
    url,
    apiTimeoutMs,
    maxConcurrentCalls: maxConcurrentCalls ?? DEFAULTS.gitlab.maxConcurrentCalls,
    maxConcurrentChecks: maxConcurrentChecks ?? DEFAULTS.gitlab.maxConcurrentChecks,
    ...(resolved.value === undefined ? {} : { token: resolved.value }),
    ...(resolved.missing ? { misconfigured: `modgate's GitLab token is not configured (set the secret ${resolved.missing})` } : {}),
    ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
    ...(runtime.now ? { now: runtime.now } : {}),
    ...(onProxyEvent ? { onCall: (endpoint: string, status: number, ms: number) => onProxyEvent({ type: "gitlab-call", endpoint, status, ms }) } : {}),
    ...(runtime.onGitlabState ? { onStateChange: runtime.onGitlabState } : {}),
  });
  const lookup = new ProjectLookup({
    client,
    discovery: config.discovery,
    cache: runtime.cache(config),
    ...(runtime.onEvent ? { onEvent: runtime.onEvent } : {}),
  });
  const router = new Router(config, {
    discoveredRule: (module) => new GroupRule(module, gitlab, lookup),
    now: lookup.now,
  });
  const proxy = config.proxy.enabled
    ? new ProxyService({
        locate: (modulePath) => locateModule(router, modulePath),
        store: runtime.store?.(config) ?? new MemoryStore(),
        gitlab: client,
        listTtlSeconds: config.proxy.listTtlSeconds,
        authTtlSeconds: config.proxy.authTtlSeconds,
        failedAuth: failedAuthShare(config, runtime.processes ?? 1),
        maxConcurrentBuilds: config.proxy.maxConcurrentBuilds ?? DEFAULTS.proxy.maxConcurrentBuilds,
        ...(onProxyEvent ? { onEvent: onProxyEvent } : {}),
      })
    : undefined;
  return proxy ? { config, router, proxy } : { config, router };
}

/** proxy.failedAuth for one of `processes` processes: an equal share of the all-clients cap (at least 1). */
function failedAuthShare(config: CompiledConfig, processes: number): CompiledFailedAuth {
  const { perClient, total, windowSeconds } = config.proxy.failedAuth ?? DEFAULTS.proxy.failedAuth;
  const share = Math.max(1, Math.floor(total / Math.max(1, processes)));
  return { perClient: Math.min(perClient, share), total: share, windowSeconds };
}
