// Config file → Router on Node: discovery look-ups cached in a bounded LRU.
import { createRouter } from "../discovery/create-router.js";
import { MemoryLookupCache } from "../discovery/lookup-cache.js";
import type { LookupEvent } from "../discovery/project-lookup.js";
import type { Router } from "../core/router.js";
import { loadConfigFile } from "./config-file.js";

/**
 * Makes routers for one process. The discovery cache outlives reloads (its
 * keys include gitlab.url), so a reload neither drops the stale answers that
 * carry a GitLab outage nor sends a burst of API calls.
 */
export class RouterLoader {
  private cache?: MemoryLookupCache;

  constructor(
    private readonly configPath: string,
    private readonly onEvent?: (event: LookupEvent) => void,
  ) {}

  load(): Router {
    return createRouter(loadConfigFile(this.configPath), {
      cache: (config) => {
        if (this.cache?.maxEntries !== config.discovery.cacheEntries) this.cache = new MemoryLookupCache(config.discovery.cacheEntries);
        return this.cache;
      },
      ...(this.onEvent ? { onEvent: this.onEvent } : {}),
    });
  }
}

export function loadRouter(configPath: string, onEvent?: (event: LookupEvent) => void): Router {
  return new RouterLoader(configPath, onEvent).load();
}
