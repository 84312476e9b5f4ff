// The HTTP contract, on Web-standard Request/Response only, so the same app
// runs on Node and on Cloudflare Workers.
import { Hono } from "hono";
import { splitElements } from "./importpath.js";
import type { Router } from "./router.js";
import type { ResolvedModule } from "./rule.js";
import { htmlResponse, publicCache, redirectResponse, textResponse } from "./responses.js";
import { installPage } from "../render/pages.js";

/** Request paths longer than this many bytes get 414. */
export const MAX_PATH_BYTES = 1024;

const ALLOW = { Allow: "GET, HEAD" };

export interface AppOptions {
  /** The current router; a function so a reload can swap it between requests. */
  router: () => Router;
}

export function createApp(options: AppOptions): Hono {
  const app = new Hono();

  // Everything under /-/ belongs to the service, never to a module.
  app.all("/-/healthz", (c) => (isReadMethod(c.req.method) ? textResponse(200, "ok") : methodNotAllowed()));
  app.all("/-/*", (c) => (isReadMethod(c.req.method) ? textResponse(404, "not found: /-/ is reserved for the service") : methodNotAllowed()));

  app.all("*", (c) => answer(c.req.raw, options.router()));

  app.notFound(() => textResponse(404, "not found"));
  // Internal details never reach a client; the runtime logs the error.
  app.onError((err) => {
    console.error("modgate: internal error:", err);
    return textResponse(500, "internal error");
  });
  return app;
}

function isReadMethod(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

function methodNotAllowed(): Response {
  return textResponse(405, "method not allowed: use GET or HEAD", ALLOW);
}

/** The answer for any request outside /-/. */
export async function answer(request: Request, router: Router): Promise<Response> {
  if (!isReadMethod(request.method)) return methodNotAllowed();
  const { authority, path, query } = splitTarget(request.url);
  if (path.length > MAX_PATH_BYTES) return textResponse(414, `request path longer than ${MAX_PATH_BYTES} bytes`);

  const routes = router.routesFor(authority);
  if (!routes) return textResponse(404, "not found: no modules are served for this host");

  const goGet = isGoGet(query);
  if (path === "/") {
    if (goGet) return textResponse(404, `not found: no module at the root of ${routes.host}`);
    return htmlResponse(routes.indexPage, publicCache(router.config.cacheMaxAge));
  }

  const elements = splitElements(path.slice(1));
  if (!elements) return textResponse(404, "not found: the path is not a valid Go import path");
  const match = routes.match(elements);
  const notFound = () => textResponse(404, `not found: no module is configured for ${routes.host}${path}`);
  if (!match) return notFound();

  let found: { module: ResolvedModule; rest: string };
  if (match.kind === "group") {
    const resolution = await match.rule.resolve(match.below, router.lookup!);
    if (resolution.kind === "missing") return notFound();
    // GitLab failing is not "not found": say so, and let clients retry.
    if (resolution.kind === "unavailable") return textResponse(503, `service unavailable: ${resolution.reason}; try again later`);
    found = resolution;
  } else {
    found = match;
  }

  const cache = publicCache(router.config.cacheMaxAge);
  if (goGet) return htmlResponse(found.module.page, cache);
  return browserAnswer(found.module, found.rest, cache);
}

/** People following an import path in a browser go to its documentation or source. */
function browserAnswer(module: ResolvedModule, rest: string, cache: string): Response {
  switch (module.browser) {
    case "pkgsite":
      return redirectResponse(`https://pkg.go.dev/${module.root}${rest === "" ? "" : "/" + rest}`, cache);
    case "gitlab": {
      // The loader allows `browser: gitlab` only for GitLab projects.
      const { web, branch } = module.gitlab!;
      const dir = [module.subdir, rest].filter((p) => p).join("/");
      return redirectResponse(dir === "" ? web : `${web}/-/tree/${branch}/${dir}`, cache);
    }
    case "none": {
      const importPath = rest === "" ? module.root : `${module.root}/${rest}`;
      return htmlResponse(installPage(importPath, module.root), cache);
    }
  }
}

export interface Target {
  /** host[:port], from the Host header on Node and the URL on Workers. */
  authority: string;
  path: string;
  query: string;
}

/** The raw (undecoded) parts of a request URL: a "%2F" never becomes a "/" here. */
export function splitTarget(url: string): Target {
  const scheme = url.indexOf("//");
  const authorityStart = scheme < 0 ? 0 : scheme + 2;
  let pathStart = url.indexOf("/", authorityStart);
  if (pathStart < 0) pathStart = url.length;
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
