import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { CONTRACT_COMPILED_MODULE } from "./test/contract/workers-setup.js";

// Tests that run inside workerd through @cloudflare/vitest-pool-workers. The
// Worker entry (src/worker.ts) is loaded with the contract config compiled
// into it, exactly as `npm run build:worker` compiles config/modgate.yaml.
export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./src/worker.ts",
      miniflare: {
        compatibilityDate: "2026-04-01",
        // As wrangler.toml: the Worker hashes with node:crypto and node:zlib; the test runner needs Node APIs too.
        compatibilityFlags: ["nodejs_compat"],
        // The proxy's content store, as `wrangler r2 bucket create modgate-store` + [[r2_buckets]] give it.
        r2Buckets: ["MODGATE_STORE"],
      },
    }),
  ],
  resolve: {
    alias: { "modgate:compiled-config": fileURLToPath(new URL(CONTRACT_COMPILED_MODULE, import.meta.url)) },
  },
  test: {
    name: "workers",
    include: ["test/contract/**/*.workers.test.ts"],
    // A deadline against hangs, not a speed limit (vitest's default is 5 s): workerd, the
    // stand-ins on Node and vitest share the machine's cores.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // workers-setup compiles the Worker's config; discovery-setup starts the GitLab stand-in on Node.
    // proxy-setup starts the GitLab stand-in with the module proxy's repositories.
    globalSetup: ["test/contract/workers-setup.ts", "test/contract/discovery-setup.ts", "test/contract/proxy-setup.ts"],
  },
});
