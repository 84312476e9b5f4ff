// Cloudflare Workers entry: the core app around the config compiled at build
// time (scripts/compile-worker-config.ts, run by wrangler's build command).
// The router is made on the first request, when the env (secrets such as the
// GitLab token) is known; discovery look-ups are cached in the Cache API.
import compiled from "modgate:compiled-config";
import { createApp } from "./core/app.js";
import type { Router } from "./core/router.js";
import { createRouter } from "./discovery/create-router.js";
import { WorkersLookupCache } from "./discovery/workers-lookup-cache.js";
import { GitlabStateLog } from "./discovery/gitlab-state-log.js";

let router: Router | undefined;
const app = createApp({ router: () => router! });
// Why GitLab fails goes to the Worker's log (wrangler tail), once per change; clients get a generic 503.
const gitlabLog = new GitlabStateLog((line) => console.error(line));

export default {
  fetch(request: Request, env: Record<string, string | undefined>, ctx: unknown) {
    router ??= createRouter(compiled, {
      cache: () => new WorkersLookupCache((caches as unknown as { default: Cache }).default),
      env,
      onGitlabState: (state) => gitlabLog.update(state),
    });
    return app.fetch(request, env, ctx as never);
  },
} satisfies ExportedHandler;
