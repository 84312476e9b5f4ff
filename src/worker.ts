// Cloudflare Workers entry: the core app around the config compiled at build
// time (scripts/compile-worker-config.ts, run by wrangler's build command).
import compiled from "modgate:compiled-config";
import { createApp } from "./core/app.js";
import { Router } from "./core/router.js";

const router = new Router(compiled);
const app = createApp({ router: () => router });

export default { fetch: app.fetch } satisfies ExportedHandler;
