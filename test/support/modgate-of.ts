// What a runtime serves, around a bare go-get router (no proxy): for tests
// that build a Router themselves and send it requests through the routes.
import type { Modgate } from "../../src/app/modgate.js";
import type { Router } from "../../src/core/router.js";

export function modgateOf(router: Router): Modgate {
  return { config: router.config, router };
}
