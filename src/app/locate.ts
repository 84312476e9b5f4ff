// Which GitLab project, if any, serves a module path: the same decision the
// go command makes in direct mode from modgate's own go-import answer
// (docs/go-rules.md §2.1). The config alone decides for static rules;
// group rules ask discovery (cached). Anything else is not modgate's.
// This is the one place the go-get rules and the module proxy meet: the
// proxy is handed this function and never sees the router. Who may read the
// project is not passed on: discovery's answer may be up to discovery.cacheTtl
// old (longer while GitLab fails); the proxy asks GitLab itself (modules.ts).
import type { Router } from "../core/router.js";
import type { ResolvedModule } from "../core/rule.js";
import { splitElements } from "../core/importpath.js";
import type { Located } from "../proxy/location.js";

export function locateModule(router: Router, modulePath: string): Promise<Located> | Located {
  const slash = modulePath.indexOf("/");
  const host = slash < 0 ? modulePath : modulePath.slice(0, slash);
  const routes = router.hosts.get(host);
  if (!routes) return { kind: "missing", reason: `${modulePath}: no modules are served for ${host}` };
  const elements = slash < 0 ? [] : splitElements(modulePath.slice(slash + 1));
  if (!elements || elements.length === 0) return { kind: "missing", reason: `${modulePath}: not a module path modgate serves` };
  const match = routes.match(elements);
  if (!match) return { kind: "missing", reason: `no module is configured for ${modulePath}` };
  if (match.kind === "static") return found(match.module);
  return match.rule.resolve(match.below).then((resolution): Located => {
    if (resolution.kind === "unavailable") return resolution;
    if (resolution.kind === "missing") return { kind: "missing", reason: `no GitLab project for ${modulePath}`, mapped: true };
    return found(resolution.module);
  });
}

function found(module: ResolvedModule): Located {
  if (!module.gitlab?.project) {
    return { kind: "missing", reason: `${module.root} is not a GitLab project (repo: modules are not served by this proxy)` };
  }
  return {
    kind: "found",
    project: module.gitlab.project,
    codeRoot: module.root,
    subdir: module.subdir ?? "",
    repo: module.repo,
  };
}
