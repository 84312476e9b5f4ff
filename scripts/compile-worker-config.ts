// Build step of the Worker: checks the YAML config exactly as `modgate check`
// does and writes the compiled form as a JS module the Worker bundles, so
// neither the YAML parser nor zod ships to Workers.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { configPathFrom, loadConfigFile } from "../src/node/config-file.js";
import { describeConfigError } from "../src/node/server.js";

export const COMPILED_CONFIG_MODULE = ".modgate/compiled-config.js";

const configPath = configPathFrom(process.argv[2]);
try {
  const compiled = loadConfigFile(configPath);
  mkdirSync(dirname(COMPILED_CONFIG_MODULE), { recursive: true });
  writeFileSync(COMPILED_CONFIG_MODULE, `// Generated from ${configPath} by scripts/compile-worker-config.ts. Do not edit.\nexport default ${JSON.stringify(compiled)};\n`);
  process.stderr.write(`modgate: compiled ${configPath} (${compiled.modules.length} modules) into ${COMPILED_CONFIG_MODULE}\n`);
} catch (err) {
  process.stderr.write(describeConfigError(err) + "\n");
  process.exit(1);
}
