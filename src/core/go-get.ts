// The go-get core's one entry: a request's parsed target → the answer for the
// Host's rules (its index page, a module's go-get page, or where a browser
// goes). The route table (src/app/routes.ts) calls it after the method, the
// target, the service paths and the module proxy have had their turn; this
// file knows nothing of any of them.
import { splitElements } from "./importpath.js";
import type { Router } from "./router.js";
import { textAnswer, type PlainAnswer } from "../http/responses.js";
import { isGoGet, type ParsedTarget } from "./target.js";
import { cacheControlUntil, discoveredModuleAnswer, moduleAnswer, notFound } from "./module-answers.js";
import { describeHost } from "./request-text.js";

/**
 * The memo's slot for this request: `remember` is cleared for answers that must
 * be made fresh every time (service and proxy paths); a discovered answer is
 * remembered under `key` until the look-ups it rests on expire.
 */
export interface MemoSlot {
  key: string;
  remember: boolean;
}

export function goGetAnswer(router: Router, parsed: ParsedTarget, memo?: MemoSlot): PlainAnswer | Promise<PlainAnswer> {
  const { path, query } = parsed;
  // the Host's rules; naming the Host received shows a reverse proxy that rewrites or drops it
  const routes = router.routesFor(parsed.authority);
  if (!routes) return textAnswer(404, `not found: no modules are served for ${describeHost(parsed.authority)}`);

  // the index page
  const goGet = isGoGet(query);
  if (path === "/") {
    if (goGet) return textAnswer(404, `not found: no module at the root of ${routes.host}`);
    return routes.indexAnswer;
  }

  // a module root and what is below it
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
