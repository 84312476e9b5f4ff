// `modgate resolve`: what the go command would be told for an import path,
// computed by sending the very request it would send through the core; with
// `@QUERY`, what it would download from the module proxy (version, commit,
// time, file count and both h1 sums, as `go mod download -json` shows them).
import { bodyText } from "../http/responses.js";
import { checkPath } from "../module/path.js";
import { zipEntryCount } from "../proxy/store/zip-entry-count.js";
import { answer } from "../app/answer.js";
import { checkImportPath } from "../core/importpath.js";
import type { Modgate } from "../app/modgate.js";
import type { LookupEvent } from "../discovery/project-lookup.js";

export interface Resolution {
  ok: boolean;
  /** The meta tags as served, or the reason there are none. */
  lines: string[];
}

export async function resolveImportPath(modgate: Modgate, importPath: string): Promise<Resolution> {
  const why = checkImportPath(importPath);
  if (why) return { ok: false, lines: [`${importPath}: not a valid Go import path: ${why}`] };
  const slash = importPath.indexOf("/");
  const host = slash < 0 ? importPath : importPath.slice(0, slash);
  const path = slash < 0 ? "/" : importPath.slice(slash);
  const router = modgate.router;
  if (!router.hosts.has(host.toLowerCase())) {
    const known = [...router.hosts.keys()].join(", ");
    return { ok: false, lines: [`${importPath}: no module is configured for host ${host} (configured: ${known})`] };
  }
  const response = await answer("GET", host, `${path}?go-get=1`, modgate);
  const body = bodyText(response);
  if (response.status !== 200) return { ok: false, lines: [`${importPath}: ${response.status} ${body.trim()}`] };
  const tags = body.match(/<meta name="go-(?:import|source)" content="[^"]*">/g) ?? [];
  return { ok: true, lines: tags.map(unescapeAttribute) };
}

/**
 * MODULE@QUERY through the module proxy's own service: the version the query
 * resolves to and the zip the proxy serves for it (built into the store when
 * it is not there yet), so an operator can hold it against
 * `go mod download -json MODULE@QUERY` (Version, Sum, GoModSum).
 */
export async function resolveModuleVersion(modgate: Modgate, arg: string, configPath: string): Promise<Resolution> {
  const at = arg.indexOf("@");
  const modulePath = arg.slice(0, at);
  const query = arg.slice(at + 1);
  if (query === "") return { ok: false, lines: [`${arg}: no version after "@" (a version, a branch, a commit, or latest)`] };
  try {
    checkPath(modulePath);
  } catch (err) {
    return { ok: false, lines: [`${arg}: ${(err as Error).message}`] };
  }
  const service = modgate.proxy;
  if (!service)
    return {
      ok: false,
      lines: [`${arg}: the module proxy is off in ${configPath}: set proxy.enabled: true to resolve versions (without @, resolve shows the go-import answer)`],
    };
  const summary = await service.summarize(modulePath, query, zipEntryCount);
  if ("status" in summary) return { ok: false, lines: [`${arg}: ${summary.status} ${bodyText(summary).trim()}`] };
  // The go command's names where it has them (go mod download -json), so the two read alike.
  const rows: [string, string][] = [
    ["Path", summary.module],
    ["Version", summary.version],
    ["Commit", summary.commit],
    ["Time", summary.time],
    ["Files", String(summary.files)],
    ["ZipBytes", String(summary.zipBytes)],
    ["Sum", summary.sum],
    ["GoModSum", summary.goModSum],
  ];
  return { ok: true, lines: rows.map(([k, v]) => `${k.padEnd(9)}${v}`) };
}

function unescapeAttribute(tag: string): string {
  return tag.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e]!);
}

/** "GitLab API platform/oss/a: 200 found platform/oss/a (12 ms)" — one line per look-up. */
export function describeLookup(e: LookupEvent): string {
  const what = e.source === "api" ? `GitLab API ${e.path}: ${e.status ?? "no answer"}` : `${e.source} ${e.path}:`;
  const detail = e.detail === undefined ? "" : ` ${e.detail}`;
  const time = e.ms === undefined ? "" : ` (${Math.round(e.ms)} ms)`;
  return `${what} ${e.outcome}${detail}${time}`;
}
