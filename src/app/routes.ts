// The routes: the way every request takes, in order, on every runtime (Node's
// listener and the Worker both call answer(), which calls route()).
//
//   1. method        GET and HEAD only                                  405
//   2. target        split without decoding, ≤ 1024 bytes, normalised   414 / 404   (target.ts)
//   3. /-/…          /-/healthz; a runtime's own (Node: /-/metrics);    200 / 404
//                    any other /-/ path is reserved
//   4. module proxy  /sumdb/…, …/@v/…, …/@latest — whatever the Host    (proxy/service.ts)
//                    (the module path names its host), when enabled
//   5. Host          the host's rules; none for this Host               404
//   6. /             the host's index page
//   7. a module      its go-get page (?go-get=1) or where a browser     (module-answers.ts)
//                    goes; group rules ask GitLab (discovery)           503 while it fails
import { splitElements } from "../core/importpath.js";
import type { Router } from "../core/router.js";
import { textAnswer, type PlainAnswer } from "../http/responses.js";
import { isGoGet, parseTarget } from "../core/target.js";
import { cacheControlUntil, discoveredModuleAnswer, moduleAnswer, notFound } from "../core/module-answers.js";
import { isProxyPath, parseProxyPath } from "../proxy/request.js";
import { describeHost } from "../core/request-text.js";

export const METHOD_NOT_ALLOWED = textAnswer(405, "method not allowed: use GET or HEAD", { Allow: "GET, HEAD" });
const HEALTHY = textAnswer(200, "ok");
const RESERVED = textAnswer(404, "not found: /-/ is reserved for the service");

/** Prefix of the service's own paths; no module path can start with it. */
export const SERVICE_PREFIX = "/-/";

/** Service paths a runtime adds (Node: "/-/metrics"), answered fresh on every request. */
export type RuntimeServices = Readonly<Record<string, () => PlainAnswer>>;

export function isReadMethod(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

/**
 * The memo's slot for this request: `remember` is cleared for answers that must
 * be made fresh every time (service and proxy paths); a discovered answer is
 * remembered under `key` until the look-ups it rests on expire.
 */
export interface MemoSlot {
  key: string;
  remember: boolean;
}

export function route(
  method: string,
  authority: string | undefined,
  target: string,
  router: Router,
  services?: RuntimeServices,
  memo?: MemoSlot,
  authorization?: string,
): PlainAnswer | Promise<PlainAnswer> {
  // 1. method
  if (!isReadMethod(method)) return METHOD_NOT_ALLOWED;

  // 2. target
  const parsed = parseTarget(target, authority);
  if ("status" in parsed) return parsed;
  const { path, query } = parsed;

  // 3. the service's own paths, matched on the raw path ("/%2D/healthz" is not one)
  if (path.startsWith(SERVICE_PREFIX)) {
    if (memo) memo.remember = false;
    if (path === "/-/healthz") return HEALTHY;
    const own = services?.[path];
    return own ? own() : RESERVED;
  }

  // 4. the module proxy
  if (router.proxy && isProxyPath(path)) {
    if (memo) memo.remember = false;
    return router.proxy(parseProxyPath(path), authorization);
  }

  // 5. the Host's rules; naming the Host received shows a reverse proxy that rewrites or drops it
  const routes = router.routesFor(parsed.authority);
  if (!routes) return textAnswer(404, `not found: no modules are served for ${describeHost(parsed.authority)}`);

  // 6. the index page
  const goGet = isGoGet(query);
  if (path === "/") {
    if (goGet) return textAnswer(404, `not found: no module at the root of ${routes.host}`);
    return routes.indexAnswer;
  }

  // 7. a module root and what is below it
  const elements = splitElements(path.slice(1));
  if (!elements) return textAnswer(404, "not found: the path is not a valid Go import path");
  const match = routes.match(elements);
  if (!match) return notFound(routes.host, path);
  if (match.kind === "static") return moduleAnswer(match.module, match.rest, goGet, router);
  return match.rule.resolve(match.below).then((resolution) => {
    // GitLab failing is not "not found": say so, and let clients retry. The reason is generic:
    // why GitLab fails (hosts, redirect targets, the token's state) is for the operator's log.
    if (resolution.kind === "unavailable") return textAnswer(503, `service unavailable: ${resolution.reason}; try again later`);
    const result =
      resolution.kind === "missing"
        ? notFound(routes.host, path, resolution.why)
        : discoveredModuleAnswer(resolution.module, resolution.rest, goGet, cacheControlUntil(resolution.freshUntil, router));
    // Until a look-up it rests on expires, the same request gets the same answer.
    if (memo?.remember && resolution.freshUntil !== undefined) {
      router.answers.set(memo.key, { answer: result, until: resolution.freshUntil });
    }
    return result;
  });
}
