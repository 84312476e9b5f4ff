// The answers about a module root: the go-get page the go command reads,
// and where a browser following an import path goes.
import type { Router } from "./router.js";
import type { ResolvedModule } from "./rule.js";
import { htmlAnswer, publicCache, redirectAnswer, textAnswer, withCacheControl, type PlainAnswer } from "../http/responses.js";
import { installPage } from "../render/pages.js";
import { treeUrl } from "./gitlab-urls.js";

export function notFound(host: string, path: string, why?: string): PlainAnswer {
  if (why !== undefined) return textAnswer(404, `not found: ${host}${path}: ${why}`);
  return textAnswer(404, `not found: no module is configured for ${host}${path}`);
}

/**
 * A remembered discovered answer, its max-age counted down to now: a cache
 * must not keep it longer than the look-ups it rests on hold, however late in
 * their life it is replayed. Answers clients may not keep (404s) replay as is.
 */
export function replay(key: string, known: { answer: PlainAnswer; until: number }, router: Router): PlainAnswer {
  const current = known.answer.headers["Cache-Control"];
  if (current === "no-cache") return known.answer;
  const cacheControl = cacheControlUntil(known.until, router);
  if (cacheControl === current) return known.answer;
  const answer = withCacheControl(known.answer, cacheControl);
  router.answers.set(key, { answer, until: known.until });
  return answer;
}

export function moduleAnswer(module: ResolvedModule, rest: string, goGet: boolean, router: Router): PlainAnswer {
  // A literal rule's module is made once per config, so its answer is too.
  if (goGet) return (module.goGetAnswer ??= htmlAnswer(module.page, router.cacheControl));
  return browserAnswer(module, rest, router.cacheControl);
}

export function discoveredModuleAnswer(module: ResolvedModule, rest: string, goGet: boolean, cacheControl: string): PlainAnswer {
  return goGet ? htmlAnswer(module.page, cacheControl) : browserAnswer(module, rest, cacheControl);
}

/**
 * Clients and proxies may keep a discovered answer no longer than modgate
 * itself would: until the first look-up it rests on expires, and not at all
 * when it was made of stale look-ups while GitLab failed.
 */
export function cacheControlUntil(freshUntil: number | undefined, router: Router): string {
  if (freshUntil === undefined) return "no-cache";
  const seconds = Math.floor((freshUntil - router.now()) / 1000);
  return publicCache(Math.max(0, Math.min(router.config.cacheMaxAge, seconds)));
}

/** People following an import path in a browser go to its documentation or source. */
function browserAnswer(module: ResolvedModule, rest: string, cache: string): PlainAnswer {
  switch (module.browser) {
    case "pkgsite":
      return redirectAnswer(`https://pkg.go.dev/${module.root}${rest === "" ? "" : "/" + rest}`, cache);
    case "gitlab": {
      // The loader allows `browser: gitlab` only for GitLab projects.
      const { web, branch } = module.gitlab!;
      const dir = [module.subdir, rest].filter((p) => p).join("/");
      return redirectAnswer(dir === "" ? web : treeUrl(web, branch, dir), cache);
    }
    case "none": {
      const importPath = rest === "" ? module.root : `${module.root}/${rest}`;
      return htmlAnswer(installPage(importPath, module.root), cache);
    }
  }
}
