// What modgate answers to a request: the routes (routes.ts), behind a memo.
// The go command asks the same discovery paths again and again, and an answer
// that needs no GitLab depends only on the config, the Host and the target:
// such answers are remembered per router (bounded), discovered ones until the
// look-ups they rest on expire. Service and proxy answers are never remembered.
import type { Modgate } from "./modgate.js";
import type { PlainAnswer } from "../http/responses.js";
import { isReadMethod, METHOD_NOT_ALLOWED, route, type MemoSlot, type RuntimeServices } from "./routes.js";
import { replay } from "../core/module-answers.js";
import type { Client } from "../http/client.js";

export { isReadMethod } from "./routes.js";
export { MAX_PATH_BYTES, splitTarget, type Target } from "../core/target.js";
export type { Modgate } from "./modgate.js";

/** Targets longer than this are answered without the memo, so it cannot be filled with huge keys. */
const MEMO_MAX_KEY = 512;

/**
 * `target` is the request target as received: origin-form ("/a/b?go-get=1")
 * or absolute-form ("http://host/a/b?go-get=1"). Nothing is decoded.
 */
export function answer(
  method: string,
  authority: string | undefined,
  target: string,
  modgate: Modgate,
  services?: RuntimeServices,
  /** Who asks (credential, address): only the module proxy's access decision reads it. */
  client?: Client,
): PlainAnswer | Promise<PlainAnswer> {
  if (!isReadMethod(method)) return METHOD_NOT_ALLOWED;
  // The module proxy's answers are never remembered here (route() says so), so its version files
  // skip the memo: building and hashing the key cost a warm answer more than the rest of its way.
  // Only a speed-up: any target may take route() without the memo and get the same answer.
  if (modgate.proxy && target.includes("/@v/")) return route(method, authority, target, modgate, services, undefined, client);
  const key = authority === undefined ? target : authority + " " + target;
  if (key.length > MEMO_MAX_KEY) return route(method, authority, target, modgate, services, undefined, client);
  const router = modgate.router;
  const known = router.answers.get(key);
  if (known && known.until === Infinity) return known.answer;
  if (known && router.now() < known.until) return replay(key, known, router);
  const slot: MemoSlot = { key, remember: true };
  const result = route(method, authority, target, modgate, services, slot, client);
  if (slot.remember && !(result instanceof Promise)) router.answers.set(key, { answer: result, until: Infinity });
  return result;
}
