// Config file → Router on Node: discovery look-ups cached in a bounded LRU.
import { createRouter } from "../discovery/create-router.js";
import { MemoryAnswerCache } from "../discovery/answer-cache.js";
import type { LookupEvent } from "../discovery/project-lookup.js";
import type { Router } from "../core/router.js";
import { loadConfigFile } from "./config-file.js";

export function loadRouter(configPath: string, onEvent?: (event: LookupEvent) => void): Router {
  return createRouter(loadConfigFile(configPath), {
    cache: (config) => new MemoryAnswerCache(config.discovery.cacheEntries),
    ...(onEvent ? { onEvent } : {}),
  });
}
