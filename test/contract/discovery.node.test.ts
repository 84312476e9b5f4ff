// GitLab discovery at the HTTP level (discovery-cases.ts) on Node: the
// stand-in in process, look-ups cached in the Node LRU.
import { afterAll, beforeAll } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { MemoryLookupCache } from "../../src/discovery/lookup-cache.js";
import { assemble } from "../../src/app/assemble.js";
import { makeTempDir, removeDir } from "../e2e/harness/tmp.js";
import { startGitLabStandIn, type GitLabStandIn } from "../e2e/harness/gitlab-stand-in.js";
import { controlOf, describeDiscoveryAnswers, useTransport } from "./discovery-cases.js";
import { startNodeListener, type NodeListener } from "./node-listener.js";
import { randomToken, STAND_IN_PROJECTS } from "./discovery-fixtures.js";
import type { Modgate } from "../../src/app/modgate.js";

const token = randomToken();
let lab: GitLabStandIn;
let root: string;

beforeAll(async () => {
  // Only the API is used here: the repositories' root may stay empty.
  root = await makeTempDir("discovery-contract");
  lab = await startGitLabStandIn({ root, token, projects: STAND_IN_PROJECTS });
});

// Every router gets the node:http listener production Node serves with.
const listeners = new Map<Modgate, Promise<NodeListener>>();
useTransport(async (router, request) => {
  let listener = listeners.get(router);
  if (!listener) listeners.set(router, (listener = startNodeListener(() => router)));
  return (await listener).fetch(request);
});

afterAll(async () => {
  await Promise.all([...listeners.values()].map(async (l) => (await l).close()));
  await lab?.close();
  if (root) await removeDir(root);
});

describeDiscoveryAnswers("GitLab discovery over HTTP (Node, memory cache)", {
  control: () => controlOf(lab, token),
  router: (configText, gitlabToken) =>
    assemble(compileConfig(configText, "discovery.yaml", { env: { GITLAB_TOKEN: gitlabToken } }), {
      cache: (config) => new MemoryLookupCache(config.discovery.cacheEntries),
    }),
});
