// `npm run dev:worker`: the Worker in workerd (wrangler dev) with the config
// compiled first — a broken config stops here with its file:line:col problems
// and exit 1, not with wrangler's stack trace — and compiled again whenever
// the config file changes. wrangler dev watches the compiled module it
// bundles, so an edit takes effect in the running Worker; a broken edit is
// reported and the last good config keeps serving. Extra arguments go to
// wrangler dev (`npm run dev:worker -- --port 8787 --ip 127.0.0.1`).
import { spawn } from "node:child_process";
import { watch } from "node:fs";
import { constants } from "node:os";
import { basename, dirname, resolve } from "node:path";
import { describeConfigError } from "../src/config/problems.js";
import { configPathFrom } from "../src/node/config-file.js";
import { compileWorkerConfig } from "./compile-worker-config.js";

/** Editors write a file in several steps; compile once they are done. */
const SETTLE_MS = 150;

const configPath = configPathFrom(undefined);
const report = (line: string) => process.stderr.write(line + "\n");

try {
  report(compileWorkerConfig(configPath));
} catch (err) {
  report(describeConfigError(err));
  process.exit(1);
}

// Editors replace the file rather than write it in place, which ends a watch
// on the file itself: watch its directory and pick its name out.
let timer: NodeJS.Timeout | undefined;
const watcher = watch(dirname(resolve(configPath)), (_event, name) => {
  if (name !== null && name !== basename(configPath)) return;
  clearTimeout(timer);
  timer = setTimeout(recompile, SETTLE_MS);
});

function recompile(): void {
  try {
    report(compileWorkerConfig(configPath));
  } catch (err) {
    report(`modgate: ${configPath} has problems; the Worker keeps the last good config:\n${describeConfigError(err)}`);
  }
}

const wrangler = spawn("wrangler", ["dev", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
// Ctrl-C reaches wrangler too (same process group); a SIGTERM sent to this process alone is passed on.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => wrangler.kill(signal));
wrangler.on("exit", (code, signal) => {
  watcher.close();
  clearTimeout(timer);
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
});
