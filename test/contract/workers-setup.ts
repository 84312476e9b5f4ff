// Runs on Node before the workerd tests: compiles the contract config the way
// the Worker build does, into the module the Worker entry imports.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { compileConfig } from "../../src/config/load.js";
import { CONTRACT_CONFIG, CONTRACT_CONFIG_FILE } from "./config.js";

export const CONTRACT_COMPILED_MODULE = "./.modgate/contract-compiled-config.js";

export default function setup(): void {
  const target = fileURLToPath(new URL(`../../${CONTRACT_COMPILED_MODULE}`, import.meta.url));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `export default ${JSON.stringify(compileConfig(CONTRACT_CONFIG, CONTRACT_CONFIG_FILE))};\n`);
}
