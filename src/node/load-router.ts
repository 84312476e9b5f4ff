// Config file → Router on Node: discovery look-ups cached in a bounded LRU.
import { createRouter } from "../discovery/create-router.js";
import { MemoryLookupCache } from "../discovery/lookup-cache.js";
import type { LookupEvent } from "../discovery/project-lookup.js";
import type { Router } from "../core/router.js";
import { loadConfigFile } from "./config-file.js";
import { DiskStore } from "./disk-store.js";
import type { ProxyEvent } from "../proxy/service.js";
import { resolve } from "node:path";

/**
 * Makes routers for one process. The discovery cache outlives reloads (its
 * keys include gitlab.url), so a reload neither drops the stale answers that
 * carry a GitLab outage nor sends a burst of API calls.
 */
export class RouterLoader {
  private cache?: MemoryLookupCache;
  /** One store per directory for the process's life: reloads keep it. */
  private store?: DiskStore;

  constructor(
    private readonly configPath: string,
    private readonly onEvent?: (event: LookupEvent) => void,
    private readonly onProxyEvent?: (event: ProxyEvent) => void,
  ) {}

  load(): Router {
    return createRouter(loadConfigFile(this.configPath), {
      cache: (config) => {
        if (this.cache?.maxEntries !== config.discovery.cacheEntries) this.cache = new MemoryLookupCache(config.discovery.cacheEntries);
        return this.cache;
      },
      store: (config) => {
        // Relative to the working directory, like every path on the command line.
        const dir = resolve(config.proxy.cacheDir);
        if (this.store?.dir !== dir) this.store = new DiskStore(dir);
        return this.store;
      },
      ...(this.onEvent ? { onEvent: this.onEvent } : {}),
      ...(this.onProxyEvent ? { onProxyEvent: this.onProxyEvent } : {}),
    });
  }
}

export function loadRouter(configPath: string, onEvent?: (event: LookupEvent) => void): Router {
  return new RouterLoader(configPath, onEvent).load();
}
