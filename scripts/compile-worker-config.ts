// Build step of the Worker: checks the YAML config exactly as `modgate check`
// does and writes the compiled form as a JS module the Worker bundles, so
// neither the YAML parser nor zod ships to Workers. Run by the npm scripts
// (build:worker, dev:worker, deploy) before wrangler, and by wrangler.toml's
// [build] command when wrangler is run by hand. scripts/dev-worker.ts calls
// compileWorkerConfig again whenever the config file changes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { soleReference } from "../src/config/variables.js";
import { configPathFrom, loadConfigFile } from "../src/node/config-file.js";
import { describeConfigError } from "../src/config/problems.js";
import { count } from "../src/node/count.js";

export const COMPILED_CONFIG_MODULE = ".modgate/compiled-config.js";

/** Compiles configPath into COMPILED_CONFIG_MODULE; the summary line, or an error with every problem located. */
export function compileWorkerConfig(configPath: string): string {
  // ${VAR}s expand from the build environment, except the GitLab token: it
  // stays a reference, read from the Worker's secrets at run time.
  const compiled = loadConfigFile(configPath, { env: process.env, keepTokenReference: true });
  const token = compiled.gitlab?.token;
  if (token !== undefined && soleReference(token) === undefined) {
    throw new Error(
      `${configPath}: gitlab.token is written out in the file and would be bundled into the Worker: ` +
        "write token: ${GITLAB_TOKEN} and run `npx wrangler secret put GITLAB_TOKEN`",
    );
  }
  // server: (timeouts, connection cap) is Node's; Cloudflare runs the Worker's connections.
  delete compiled.server;
  const text = `// Generated from ${configPath} by scripts/compile-worker-config.ts. Do not edit.\nexport default ${JSON.stringify(compiled)};\n`;
  // An unchanged module is not rewritten: wrangler dev would reload the Worker for nothing.
  if (readIfExists(COMPILED_CONFIG_MODULE) !== text) {
    mkdirSync(dirname(COMPILED_CONFIG_MODULE), { recursive: true });
    writeFileSync(COMPILED_CONFIG_MODULE, text);
  }
  return `modgate: compiled ${configPath} (${count(compiled.modules.length, "module")}) into ${COMPILED_CONFIG_MODULE}`;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.stderr.write(compileWorkerConfig(configPathFrom(process.argv[2])) + "\n");
  } catch (err) {
    process.stderr.write(describeConfigError(err) + "\n");
    process.exit(1);
  }
}
