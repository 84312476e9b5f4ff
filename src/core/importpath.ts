// The path rules of golang.org/x/mod/module, as go-get answers and the config
// word them. The rules themselves are written once, in src/module/path.ts
// (CheckPath, CheckImportPath, checkElem); this file only splits request
// paths and phrases the problems for a config author or a `modgate resolve`
// user: `invalid character " " in path element` rather than Go's
// `invalid char ' '`. Everything a request contributes to an answer passes
// through here first, so a value that survives these checks is safe to put in
// a URL path.
import { elemProblem, firstPathOK, invalidRune, shapeProblem } from "../module/path.js";

/**
 * Why `elem` is not a valid path element, or undefined when it is
 * (module.checkElem). Module paths (the rules in the config) are stricter
 * than import paths: no "+", no leading dot. A character outside the
 * grammar is named first, then the rest in x/mod's order.
 */
export function checkElement(elem: string, kind: "import" | "module" = "import"): string | undefined {
  const bad = invalidRune(elem, kind);
  if (bad !== undefined) return `invalid character ${JSON.stringify(bad)} in path element`;
  return elemProblem(elem, kind);
}

/** Splits a slash-separated request path into valid import path elements, or returns undefined. */
export function splitElements(path: string): string[] | undefined {
  if (path === "") return [];
  const elems = path.split("/");
  for (const e of elems) if (elemProblem(e, "import") !== undefined) return undefined;
  return elems;
}

/** Why `path` is not a valid import path (module.CheckImportPath), or undefined when it is. */
export function checkImportPath(path: string): string | undefined {
  // x/mod calls this an empty first element; "leading slash" says what to fix.
  if (path.startsWith("/")) return "leading slash";
  const problem = shapeProblem(path, "import");
  if (problem) return problem;
  for (const elem of path.split("/")) {
    const why = checkElement(elem);
    if (why) return why;
  }
  return undefined;
}

/**
 * Why `host` cannot be the first element of a module path, or undefined.
 * CheckPath's rules for it (firstPathOK: lower-case letters, digits, dots and
 * dashes; a dot; no leading dash; then checkElem), each worded as what to write.
 */
export function checkModuleHost(host: string): string | undefined {
  if (host === "") return "empty host";
  if (![...host].every((ch) => firstPathOK(ch.codePointAt(0)!))) {
    return `invalid host ${JSON.stringify(host)}: use lower-case letters, digits, dots and dashes`;
  }
  if (!host.includes(".")) return `host ${JSON.stringify(host)} has no dot`;
  if (host.startsWith("-")) return `host ${JSON.stringify(host)} starts with a dash`;
  if (host.startsWith(".") || host.endsWith(".")) return `host ${JSON.stringify(host)} starts or ends with a dot`;
  const why = elemProblem(host, "module");
  return why === undefined ? undefined : `host ${JSON.stringify(host)}: ${why}`;
}
