// Build step of the Worker: checks the YAML config exactly as `modgate check`
// does and writes the compiled form as a JS module the Worker bundles, so
// neither the YAML parser nor zod ships to Workers.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { soleReference } from "../src/config/variables.js";
import { configPathFrom, loadConfigFile } from "../src/node/config-file.js";
import { describeConfigError } from "../src/config/problems.js";
import { count } from "../src/node/count.js";

export const COMPILED_CONFIG_MODULE = ".modgate/compiled-config.js";

const configPath = configPathFrom(process.argv[2]);
try {
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
  mkdirSync(dirname(COMPILED_CONFIG_MODULE), { recursive: true });
  writeFileSync(COMPILED_CONFIG_MODULE, `// Generated from ${configPath} by scripts/compile-worker-config.ts. Do not edit.\nexport default ${JSON.stringify(compiled)};\n`);
  process.stderr.write(`modgate: compiled ${configPath} (${count(compiled.modules.length, "module")}) into ${COMPILED_CONFIG_MODULE}\n`);
} catch (err) {
  process.stderr.write(describeConfigError(err) + "\n");
  process.exit(1);
}
