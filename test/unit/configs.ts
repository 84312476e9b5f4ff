// Compiled configs written by hand, for tests that must reach the router and
// the renderer with values the loader would refuse or never produce.
import { compileConfig } from "../../src/config/load.js";
import type { CompiledConfig, CompiledModule } from "../../src/core/compiled.js";
import type { Router } from "../../src/core/router.js";

const BASE = "modules:\n  - path: base.example/m\n    repo: https://git.example.com/m\n";

/** A compiled config with `modules` written by hand and every other field as the loader makes it. */
export function handBuilt(modules: CompiledModule[], cacheMaxAge = 60): CompiledConfig {
  return { ...compileConfig(BASE, "base.yaml"), cacheMaxAge, modules };
}

/** A compiled module written by hand: host and elements come from the pattern. */
export function compiledModule(pattern: string, rest: Partial<CompiledModule> & Pick<CompiledModule, "repo">): CompiledModule {
  const [host, ...elements] = pattern.split("/");
  return { pattern, host: host!, elements, vcs: "git", private: false, browser: "pkgsite", source: "hand-written", ...rest };
}

/** The static match for a full import path, or undefined. */
export function staticMatch(router: Router, importPath: string, hostHeader = importPath.split("/")[0]!) {
  const match = router.routesFor(hostHeader)?.match(importPath.split("/").slice(1));
  if (!match) return undefined;
  if (!("module" in match)) throw new Error(`not a static rule: ${importPath}`);
  return match;
}
