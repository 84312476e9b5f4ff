// The module proxy's request paths (GOPROXY protocol, docs/go-rules.md
// §1.1–§1.2): `/<module>/@v/list`, `/<module>/@v/<version>.info|.mod|.zip`,
// `/<module>/@latest`, module paths and versions `!`-case-encoded. A path
// element starting with "@" is never a go-get path, so these are told apart
// from discovery requests by their shape alone.
import { escapePath, escapeVersion, unescapePath, unescapeVersion } from "../../module/escape.js";
import { checkPath } from "../../module/path.js";
import { LRUCache } from "lru-cache";

export type ProxyEndpoint = "list" | "latest" | "info" | "mod" | "zip";

export type ProxyRequest =
  | { kind: "module"; modulePath: string; endpoint: ProxyEndpoint; version?: string }
  /** The checksum database: never served here, 404 sends the client to it directly. */
  | { kind: "sumdb" }
  /** Not a request the go command sends (bad escaping, bad shape): 400 with why. */
  | { kind: "bad"; reason: string }
  /**
   * A module path or version no store can hold (a file name element past 255 bytes): 404 with
   * the go command's "invalid version" words, before anything is looked up. Not 400: the go
   * command sets no such limit and may well ask it; a 404 lets it try the next proxy (or direct).
   */
  | { kind: "missing"; endpoint: ProxyEndpoint; reason: string };

/** The longest file name element a file system holds (NAME_MAX, ext4, APFS, NTFS: 255 bytes). */
export const MAX_NAME_BYTES = 255;
/**
 * The longest escaped version served: its store files (and the go command's download cache's)
 * are `<version>.info|.mod|.zip|.ziphash`, so the longest suffix must still fit one name.
 */
export const MAX_VERSION_BYTES = MAX_NAME_BYTES - ".ziphash".length;

/** True when a raw path is the proxy's rather than a go-get or browser path. */
export function isProxyPath(path: string): boolean {
  return path.startsWith("/sumdb/") || path === "/sumdb" || path.includes("/@v/") || path.endsWith("/@latest");
}

/**
 * Parsed paths, remembered: checking a module path (module.CheckPath's rules)
 * on every request was the largest cost of a warm proxy answer left after the
 * store reads (`npm run bench`), and the go command asks the same few paths
 * again and again. Parsing depends on the path alone. Bounded: paths are at
 * most MAX_PATH_BYTES, so this holds a few MiB at worst.
 */
const parsed = new LRUCache<string, ProxyRequest>({ max: 4096 });

export function parseProxyPath(path: string): ProxyRequest {
  let request = parsed.get(path);
  if (request === undefined) {
    request = Object.freeze(parse(path));
    parsed.set(path, request);
  }
  return request;
}

function parse(path: string): ProxyRequest {
  if (path === "/sumdb" || path.startsWith("/sumdb/")) return { kind: "sumdb" };
  let escapedModule: string;
  let endpoint: ProxyEndpoint;
  let escapedVersion: string | undefined;
  if (path.endsWith("/@latest")) {
    escapedModule = path.slice(1, -"/@latest".length);
    endpoint = "latest";
  } else {
    const at = path.lastIndexOf("/@v/");
    escapedModule = path.slice(1, at);
    const file = path.slice(at + "/@v/".length);
    if (file === "list") endpoint = "list";
    else {
      const dot = file.lastIndexOf(".");
      const ext = dot < 0 ? "" : file.slice(dot + 1);
      if (ext !== "info" && ext !== "mod" && ext !== "zip") return { kind: "bad", reason: `unknown proxy endpoint @v/${file}` };
      endpoint = ext;
      escapedVersion = file.slice(0, dot);
    }
  }
  // The go command escapes each path with url.PathEscape, "/" kept (modfetch/proxy.go pathEscape;
  // docs/go-rules.md §1.1): the "!" of the case encoding arrives as "%21", and so may other
  // characters of a version. Undone here, once; what comes out is checked like any path.
  const decodedModule = percentDecode(escapedModule);
  const decodedVersion = escapedVersion === undefined ? undefined : percentDecode(escapedVersion);
  if (decodedModule === undefined || (escapedVersion !== undefined && decodedVersion === undefined)) {
    return { kind: "bad", reason: "malformed percent-encoding in the path" };
  }
  // A "%2F" would make a path element of its own; url.PathEscape never writes one.
  if (/%2f/i.test(escapedModule) || /%2f/i.test(escapedVersion ?? "")) return { kind: "bad", reason: 'an escaped "/" is not sent by the go command' };
  escapedModule = decodedModule;
  escapedVersion = decodedVersion;
  let modulePath: string;
  try {
    modulePath = unescapePath(escapedModule);
    checkPath(modulePath);
  } catch (err) {
    return { kind: "bad", reason: (err as Error).message };
  }
  const longElement = escapePath(modulePath)
    .split("/")
    .find((e) => utf8Bytes(e) > MAX_NAME_BYTES);
  if (longElement !== undefined) {
    return {
      kind: "missing",
      endpoint,
      reason: `module ${JSON.stringify(modulePath.slice(0, 64) + "…")}: malformed module path: path element longer than ${MAX_NAME_BYTES} bytes`,
    };
  }
  if (escapedVersion === undefined) return { kind: "module", modulePath, endpoint };
  let version: string;
  try {
    version = unescapeVersion(escapedVersion);
  } catch (err) {
    return { kind: "bad", reason: (err as Error).message };
  }
  if (version === "") return { kind: "bad", reason: "empty version" };
  const bytes = utf8Bytes(escapeVersion(version));
  if (bytes > MAX_VERSION_BYTES) {
    return {
      kind: "missing",
      endpoint,
      reason: `${modulePath}@${version.slice(0, 64)}…: invalid version: version too long (${bytes} bytes escaped; at most ${MAX_VERSION_BYTES})`,
    };
  }
  return { kind: "module", modulePath, endpoint, version };
}

/** decodeURIComponent, or undefined for a malformed escape or one that is not UTF-8. */
function percentDecode(s: string): string | undefined {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}
