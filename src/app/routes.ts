// The route table: the way every request takes, in order, on every runtime
// (Node's listener and the Worker's Hono app both call answer(), which calls
// route()). Each step either answers or hands the request on.
//
//   1. method        GET and HEAD only                                  405
//   2. target        split without decoding, ≤ 1024 bytes, normalised   414 / 404   (core/target.ts)
//   3. /-/…          /-/healthz; a runtime's own (Node: /-/metrics);    200 / 404
//                    any other /-/ path is reserved
//   4. module proxy  /sumdb/…, …/@v/…, …/@latest — whatever the Host    (proxy/protocol.ts)
//                    (the module path names its host), when enabled
//   5. Host          the host's rules; none for this Host               404         (core/go-get.ts)
//   6. /             the host's index page
//   7. a module      its go-get page (?go-get=1) or where a browser     (core/module-answers.ts)
//                    goes; group rules ask GitLab (discovery)           503 while it fails
import type { Modgate } from "./modgate.js";
import { textAnswer, type PlainAnswer } from "../http/responses.js";
import { parseTarget } from "../core/target.js";
import { goGetAnswer, type MemoSlot } from "../core/go-get.js";
import { isProxyPath, parseProxyPath } from "../proxy/protocol/request.js";
import type { Client } from "../http/client.js";

export type { MemoSlot } from "../core/go-get.js";

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

export function route(
  method: string,
  authority: string | undefined,
  target: string,
  modgate: Modgate,
  services?: RuntimeServices,
  memo?: MemoSlot,
  client?: Client,
): PlainAnswer | Promise<PlainAnswer> {
  // 1. method
  if (!isReadMethod(method)) return METHOD_NOT_ALLOWED;

  // 2. target
  const parsed = parseTarget(target, authority);
  if ("status" in parsed) return parsed;
  const { path } = parsed;

  // 3. the service's own paths, matched on the raw path ("/%2D/healthz" is not one)
  if (path.startsWith(SERVICE_PREFIX)) {
    if (memo) memo.remember = false;
    if (path === "/-/healthz") return HEALTHY;
    const own = services?.[path];
    return own ? own() : RESERVED;
  }

  // 4. the module proxy: it parses its own paths
  if (modgate.proxy && isProxyPath(path)) {
    if (memo) memo.remember = false;
    return modgate.proxy.handle(parseProxyPath(path), client);
  }

  // 5.–7. the go-get core
  return goGetAnswer(modgate.router, parsed, memo);
}
