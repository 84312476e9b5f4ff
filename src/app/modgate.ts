// What a runtime serves for one config: the go-get core's router and, when
// the config enables it, the module proxy. Made by assemble.ts; a reload
// makes a new one and the runtime swaps it between requests.
import type { CompiledConfig } from "../core/compiled.js";
import type { Router } from "../core/router.js";
import type { ProxyService } from "../proxy/service.js";

export interface Modgate {
  readonly config: CompiledConfig;
  /** The go-get core: hosts, rules, discovered modules and their remembered answers. */
  readonly router: Router;
  /** The module proxy; undefined when `proxy.enabled` is false. */
  readonly proxy?: ProxyService;
}
