// Cloudflare Workers entry: the core app around the config compiled at build
// time (scripts/compile-worker-config.ts, run by wrangler's build command).
// The router is made on the first request, when the env (secrets such as the
// GitLab token, the MODGATE_STORE R2 binding) is known; discovery look-ups are
// cached in the Cache API; the proxy keeps versions in R2 or the Cache API.
import compiled from "modgate:compiled-config";
import { createApp } from "./app/hono-app.js";
import { assemble, type Modgate } from "./app/assemble.js";
import { WorkersLookupCache } from "./discovery/workers-lookup-cache.js";
import { GitlabStateLog } from "./gitlab/state-log.js";
import { workerContentStore } from "./proxy/store/worker-store.js";

let modgate: Modgate | undefined;
const app = createApp({ modgate: () => modgate! });
// Why GitLab fails goes to the Worker's log (wrangler tail), once per change; clients get a generic 503.
const gitlabLog = new GitlabStateLog((line) => console.error(line));

export default {
  fetch(request: Request, env: Record<string, unknown>, ctx: unknown) {
    if (!modgate) {
      const cache = (caches as unknown as { default: Cache }).default;
      modgate = assemble(compiled, {
        cache: () => new WorkersLookupCache(cache),
        store: () => workerContentStore(env, cache),
        env: stringsOf(env),
        onGitlabState: (state) => gitlabLog.update(state),
      });
    }
    return app.fetch(request, env, ctx as never);
  },
} satisfies ExportedHandler;

/** Vars and secrets are strings; bindings (the R2 bucket) are objects and no "${NAME}" reference resolves to one. */
function stringsOf(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string"));
}
