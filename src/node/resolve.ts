// `modgate resolve`: what the go command would be told for an import path,
// computed by sending the very request it would send through the core.
import { bodyText } from "../core/responses.js";
import { answer } from "../core/answer.js";
import { checkImportPath } from "../core/importpath.js";
import type { Router } from "../core/router.js";
import type { LookupEvent } from "../discovery/project-lookup.js";

export interface Resolution {
  ok: boolean;
  /** The meta tags as served, or the reason there are none. */
  lines: string[];
}

export async function resolveImportPath(router: Router, importPath: string): Promise<Resolution> {
  const why = checkImportPath(importPath);
  if (why) return { ok: false, lines: [`${importPath}: not a valid Go import path: ${why}`] };
  const slash = importPath.indexOf("/");
  const host = slash < 0 ? importPath : importPath.slice(0, slash);
  const path = slash < 0 ? "/" : importPath.slice(slash);
  if (!router.hosts.has(host.toLowerCase())) {
    const known = [...router.hosts.keys()].join(", ");
    return { ok: false, lines: [`${importPath}: no module is configured for host ${host} (configured: ${known})`] };
  }
  const response = await answer("GET", host, `${path}?go-get=1`, router);
  const body = bodyText(response);
  if (response.status !== 200) return { ok: false, lines: [`${importPath}: ${response.status} ${body.trim()}`] };
  const tags = body.match(/<meta name="go-(?:import|source)" content="[^"]*">/g) ?? [];
  return { ok: true, lines: tags.map(unescapeAttribute) };
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
