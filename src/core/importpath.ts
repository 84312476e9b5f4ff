// Go import path rules, after golang.org/x/mod/module (CheckImportPath, CheckPath).
// Everything a request contributes to an answer passes through here first, so a
// value that survives these checks is safe to put in a URL path.

/** Characters allowed in an import path element: [A-Za-z0-9-._~+]. */
function isImportPathChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2d || // -
    code === 0x2e || // .
    code === 0x5f || // _
    code === 0x7e || // ~
    code === 0x2b // +
  );
}

const WINDOWS_RESERVED = new Set([
  "CON", "PRN", "AUX", "NUL",
  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
  "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
]);

/**
 * Why `elem` is not a valid path element, or undefined when it is. Module
 * paths (the rules in the config) are stricter than import paths: no "+",
 * no leading dot.
 */
export function checkElement(elem: string, kind: "import" | "module" = "import"): string | undefined {
  if (elem.length === 0) return "empty path element";
  let dots = 0;
  for (let i = 0; i < elem.length; i++) {
    const c = elem.charCodeAt(i);
    if (!isImportPathChar(c) || (kind === "module" && c === 0x2b)) return `invalid character ${JSON.stringify(elem[i])} in path element`;
    if (c === 0x2e) dots++;
  }
  if (dots === elem.length) return `invalid path element ${JSON.stringify(elem)}`;
  if (kind === "module" && elem.startsWith(".")) return "leading dot in path element";
  if (elem.endsWith(".")) return "trailing dot in path element";
  const dot = elem.indexOf(".");
  const short = dot < 0 ? elem : elem.slice(0, dot);
  if (WINDOWS_RESERVED.has(short.toUpperCase())) {
    return `${JSON.stringify(short)} disallowed as path element component on Windows`;
  }
  const tilde = short.lastIndexOf("~");
  if (tilde >= 0 && tilde < short.length - 1 && /^[0-9]+$/.test(short.slice(tilde + 1))) {
    return "trailing tilde and digits in path element";
  }
  return undefined;
}

/** Splits a slash-separated path into valid elements, or returns undefined. */
export function splitElements(path: string): string[] | undefined {
  if (path === "") return [];
  const elems = path.split("/");
  for (const e of elems) if (checkElement(e) !== undefined) return undefined;
  return elems;
}

/** Why `path` is not a valid import path, or undefined when it is. */
export function checkImportPath(path: string): string | undefined {
  if (path === "") return "empty string";
  if (path.startsWith("-")) return "leading dash";
  if (path.startsWith("/")) return "leading slash";
  if (path.endsWith("/")) return "trailing slash";
  if (path.includes("//")) return "double slash";
  for (const elem of path.split("/")) {
    const why = checkElement(elem);
    if (why) return why;
  }
  return undefined;
}

/**
 * Why `host` cannot be the first element of a module path, or undefined.
 * Like CheckPath: lower-case letters, digits, dots and dashes, with a dot,
 * not starting with a dash.
 */
export function checkModuleHost(host: string): string | undefined {
  if (host === "") return "empty host";
  if (!/^[a-z0-9.-]+$/.test(host)) {
    return `invalid host ${JSON.stringify(host)}: use lower-case letters, digits, dots and dashes`;
  }
  if (!host.includes(".")) return `host ${JSON.stringify(host)} has no dot`;
  if (host.startsWith("-")) return `host ${JSON.stringify(host)} starts with a dash`;
  if (host.startsWith(".") || host.endsWith(".")) return `host ${JSON.stringify(host)} starts or ends with a dot`;
  const why = checkElement(host, "module");
  return why === undefined ? undefined : `host ${JSON.stringify(host)}: ${why}`;
}
