// Reading the config from disk: the only file access the core needs.
import { readFileSync } from "node:fs";
import { compileConfig, type CompileOptions } from "../config/load.js";
import type { CompiledConfig } from "../core/compiled.js";
import { envSetting } from "./env.js";

export const DEFAULT_CONFIG_PATH = "config/modgate.yaml";

/** The config path from a flag, then MODGATE_CONFIG (unless empty, as in the shell), then the default. */
export function configPathFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? envSetting("MODGATE_CONFIG", env) ?? DEFAULT_CONFIG_PATH;
}

/** Reads and compiles a config file; throws ConfigError (located problems) or a file-system error. */
export function loadConfigFile(path: string, options: CompileOptions = { env: process.env }): CompiledConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === "ENOENT" ? ": no such file; pass --config FILE or set MODGATE_CONFIG" : code ? ` (${code})` : "";
    throw new Error(`${path}: cannot read the config file${hint}`);
  }
  return compileConfig(text, path, options);
}
