// What modgate answers to a request, from the method, the Host (authority)
// and the raw request target. Runtime-agnostic; static hits answer
// synchronously with a precomputed answer, group rules asynchronously.
import { splitElements } from "./importpath.js";
import type { Router } from "./router.js";
import type { ResolvedModule } from "./rule.js";
import { htmlAnswer, publicCache, redirectAnswer, textAnswer, withCacheControl, type PlainAnswer } from "./responses.js";
import { installPage } from "../render/pages.js";
import { isProxyPath, parseProxyPath } from "../proxy/request.js";
import { treeUrl } from "./gitlab-urls.js";
import { describeHost } from "./request-text.js";

/** Request paths longer than this many bytes get 414. */
export const MAX_PATH_BYTES = 1024;

const METHOD_NOT_ALLOWED = textAnswer(405, "method not allowed: use GET or HEAD", { Allow: "GET, HEAD" });

const HEALTHY = textAnswer(200, "ok");
const RESERVED = textAnswer(404, "not found: /-/ is reserved for the service");

/** Prefix of the service's own paths; no module path can start with it. */
const SERVICE_PREFIX = "/-/";

/**
 * The service's own paths, matched on the raw path (so "/%2D/healthz" is not
 * one, on any runtime). undefined: not a service path. Runtimes may serve
 * more of them (Node: /-/metrics) before asking the core.
 */
function serviceAnswer(method: string, path: string): PlainAnswer | undefined {
  if (!path.startsWith(SERVICE_PREFIX)) return undefined;
  if (!isReadMethod(method)) return METHOD_NOT_ALLOWED;
  return path === "/-/healthz" ? HEALTHY : RESERVED;
}

export function isReadMethod(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

/** Targets longer than this are answered without the memo, so it cannot be filled with huge keys. */
const MEMO_MAX_KEY = 512;

/**
 * `target` is the request target as received: origin-form ("/a/b?go-get=1")
 * or absolute-form ("http://host/a/b?go-get=1"). Nothing is decoded: a
 * "%2F" never becomes a "/".
 *
 * Answers that do not need GitLab depend only on the config, the Host and
 * the target, so they are remembered per router (bounded): the go command
 * asks the same paths again and again.
 */
export function answer(method: string, authority: string | undefined, target: string, router: Router): PlainAnswer | Promise<PlainAnswer> {
  if (!isReadMethod(method)) return METHOD_NOT_ALLOWED;
  const key = authority === undefined ? target : authority + " " + target;
  if (key.length > MEMO_MAX_KEY) return compute(method, authority, target, router);
  const known = router.answers.get(key);
  if (known && known.until === Infinity) return known.answer;
  if (known && router.now() < known.until) return replay(key, known, router);
  const result = compute(method, authority, target, router, key);
  if (!(result instanceof Promise)) router.answers.set(key, { answer: result, until: Infinity });
  return result;
}

/** memoKey: where a discovered answer may be remembered until its look-ups expire. */
function compute(
  method: string,
  authority: string | undefined,
  target: string,
  router: Router,
  memoKey?: string,
): PlainAnswer | Promise<PlainAnswer> {
  let path: string;
  let query: string;
  if (target.startsWith("/")) {
    const q = target.indexOf("?");
    path = q < 0 ? target : target.slice(0, q);
    query = q < 0 ? "" : target.slice(q + 1);
  } else {
    const split = splitTarget(target);
    ({ path, query } = split);
    authority = split.authority;
  }
  const hash = query.indexOf("#");
  if (hash >= 0) query = query.slice(0, hash);
  if (path.length > MAX_PATH_BYTES) return textAnswer(414, `request path longer than ${MAX_PATH_BYTES} bytes`);
  // Workers only ever see URLs the runtime has normalised ("/a/../b" → "/b",
  // "\\" → "/"); normalise the same way here, so every runtime answers alike.
  if (mayNormalise(path)) {
    const normalised = normalisePath(path);
    if (normalised === undefined) return textAnswer(404, "not found: the path is not a valid Go import path");
    path = normalised;
  }
  const service = serviceAnswer(method, path);
  if (service) return service;

  // The module proxy's paths name their module's host themselves: answered whatever the Host header says.
  if (router.proxy && isProxyPath(path)) return router.proxy(parseProxyPath(path));

  const routes = router.routesFor(authority);
  // Naming the Host received shows a reverse proxy that rewrites or drops it.
  if (!routes) return textAnswer(404, `not found: no modules are served for ${describeHost(authority)}`);

  const goGet = isGoGet(query);
  if (path === "/") {
    if (goGet) return textAnswer(404, `not found: no module at the root of ${routes.host}`);
    return routes.indexAnswer;
  }

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
    if (memoKey !== undefined && resolution.freshUntil !== undefined) {
      router.answers.set(memoKey, { answer: result, until: resolution.freshUntil });
    }
    return result;
  });
}

/**
 * The path as a WHATWG URL parser reads it. Appended to an origin, never
 * resolved against one: "//host/x" stays a path and cannot name a host.
 */
function normalisePath(path: string): string | undefined {
  try {
    return new URL(NORMALISE_ORIGIN + path).pathname;
  } catch {
    return undefined;
  }
}

const NORMALISE_ORIGIN = "http://normalise.invalid";

function mayNormalise(path: string): boolean {
  return path.includes("/.") || path.includes("\\") || path.includes("%2e") || path.includes("%2E");
}

function notFound(host: string, path: string, why?: string): PlainAnswer {
  if (why !== undefined) return textAnswer(404, `not found: ${host}${path}: ${why}`);
  return textAnswer(404, `not found: no module is configured for ${host}${path}`);
}

/**
 * A remembered discovered answer, its max-age counted down to now: a cache
 * must not keep it longer than the look-ups it rests on hold, however late in
 * their life it is replayed. Answers clients may not keep (404s) replay as is.
 */
function replay(key: string, known: { answer: PlainAnswer; until: number }, router: Router): PlainAnswer {
  const current = known.answer.headers["Cache-Control"];
  if (current === "no-cache") return known.answer;
  const cacheControl = cacheControlUntil(known.until, router);
  if (cacheControl === current) return known.answer;
  const answer = withCacheControl(known.answer, cacheControl);
  router.answers.set(key, { answer, until: known.until });
  return answer;
}

function moduleAnswer(module: ResolvedModule, rest: string, goGet: boolean, router: Router): PlainAnswer {
  // A literal rule's module is made once per config, so its answer is too.
  if (goGet) return (module.goGetAnswer ??= htmlAnswer(module.page, router.cacheControl));
  return browserAnswer(module, rest, router.cacheControl);
}

function discoveredModuleAnswer(module: ResolvedModule, rest: string, goGet: boolean, cacheControl: string): PlainAnswer {
  return goGet ? htmlAnswer(module.page, cacheControl) : browserAnswer(module, rest, cacheControl);
}

/**
 * Clients and proxies may keep a discovered answer no longer than modgate
 * itself would: until the first look-up it rests on expires, and not at all
 * when it was made of stale look-ups while GitLab failed.
 */
function cacheControlUntil(freshUntil: number | undefined, router: Router): string {
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

export interface Target {
  /** host[:port] */
  authority: string;
  path: string;
  query: string;
}

/** The raw (undecoded) parts of an absolute URL. */
export function splitTarget(url: string): Target {
  const scheme = url.indexOf("//");
  const authorityStart = scheme < 0 ? 0 : scheme + 2;
  let pathStart = url.length;
  for (let i = authorityStart; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) {
      pathStart = i;
      break;
    }
  }
  const authority = url.slice(authorityStart, pathStart);
  const hash = url.indexOf("#", pathStart);
  const end = hash < 0 ? url.length : hash;
  const q = url.indexOf("?", pathStart);
  const pathEnd = q < 0 || q > end ? end : q;
  return {
    authority,
    path: pathStart === pathEnd ? "/" : url.slice(pathStart, pathEnd),
    query: pathEnd === end ? "" : url.slice(pathEnd + 1, end),
  };
}

function isGoGet(query: string): boolean {
  if (query === "") return false;
  if (query === "go-get=1") return true;
  return new URLSearchParams(query).get("go-get") === "1";
}
