// Config file → what Node serves (src/app/assemble.ts): discovery look-ups cached in a bounded LRU.
import { assemble, type Modgate } from "../app/assemble.js";
import { MemoryLookupCache } from "../discovery/lookup-cache.js";
import type { LookupEvent } from "../discovery/project-lookup.js";
import type { GitlabState } from "../gitlab/health.js";
import { loadConfigFile } from "./config-file.js";
import { DiskStore } from "./disk-store.js";
import type { ProxyEvent } from "../proxy/service.js";
import { resolve } from "node:path";
import { clusterSize } from "./cluster.js";

export interface LoaderHooks {
  onEvent?: (event: LookupEvent) => void;
  /** Once per change of GitLab's state, for the operator's line and the metrics gauge. */
  onGitlabState?: (state: GitlabState) => void;
  /** Module proxy requests, zip builds and GitLab calls, for metrics and logs. */
  onProxyEvent?: (event: ProxyEvent) => void;
}

/**
 * Makes what one process serves, config after config. The discovery cache outlives reloads (its
 * keys include gitlab.url), so a reload neither drops the stale answers that
 * carry a GitLab outage nor sends a burst of API calls.
 */
export class ModgateLoader {
  private cache?: MemoryLookupCache;
  /** One store per directory for the process's life: reloads keep it. */
  private store?: DiskStore;
  private readonly hooks: LoaderHooks;

  constructor(
    private readonly configPath: string,
    hooks: LoaderHooks | ((event: LookupEvent) => void) = {},
  ) {
    this.hooks = typeof hooks === "function" ? { onEvent: hooks } : hooks;
  }

  load(): Modgate {
    return assemble(loadConfigFile(this.configPath), {
      cache: (config) => {
        if (this.cache?.maxEntries !== config.discovery.cacheEntries) this.cache = new MemoryLookupCache(config.discovery.cacheEntries);
        return this.cache;
      },
      store: (config) => {
        // Relative to the working directory, like every path on the command line.
        const dir = resolve(config.proxy.cacheDir);
        if (this.store?.dir !== dir) this.store = openStore(dir);
        return this.store;
      },
      // Every worker of `serve --workers N` checks credentials from the same address.
      processes: clusterSize(),
      ...(this.hooks.onEvent ? { onEvent: this.hooks.onEvent } : {}),
      ...(this.hooks.onGitlabState ? { onGitlabState: this.hooks.onGitlabState } : {}),
      ...(this.hooks.onProxyEvent ? { onProxyEvent: this.hooks.onProxyEvent } : {}),
    });
  }
}

/** The store, or an error saying which setting to fix (systemd's and Docker's sandboxes make most paths read-only). */
function openStore(dir: string): DiskStore {
  try {
    return new DiskStore(dir);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(
      `modgate: cannot use proxy.cacheDir ${dir} (${why}): it must be a directory modgate's user can create and write; set proxy.cacheDir (systemd: /var/cache/modgate; Docker: /var/lib/modgate)`,
    );
  }
}

export function loadModgate(configPath: string, hooks?: LoaderHooks | ((event: LookupEvent) => void)): Modgate {
  return new ModgateLoader(configPath, hooks).load();
}
