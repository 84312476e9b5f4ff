// The request target, as received, taken apart without decoding anything
// (a "%2F" never becomes a "/"), and normalised the way workerd hands URLs to
// a Worker, so that every runtime answers alike.
import { textAnswer, type PlainAnswer } from "../http/responses.js";

/** Request paths longer than this many bytes get 414. */
export const MAX_PATH_BYTES = 1024;

export interface Target {
  /** host[:port] */
  authority: string;
  path: string;
  query: string;
}

/**
 * `target` in origin-form ("/a/b?go-get=1", the Host header gives the
 * authority) or absolute-form ("http://host/a/b?go-get=1"). An answer when the
 * target cannot be served at all.
 */
/** A request target split and normalised: what the routes and the go-get core read. */
export interface ParsedTarget {
  authority: string | undefined;
  path: string;
  query: string;
}

export function parseTarget(target: string, authority: string | undefined): ParsedTarget | PlainAnswer {
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
  return { authority, path, query };
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

/** The go command's discovery request: `?go-get=1`, alone or among other parameters. */
export function isGoGet(query: string): boolean {
  if (query === "") return false;
  if (query === "go-get=1") return true;
  return new URLSearchParams(query).get("go-get") === "1";
}
