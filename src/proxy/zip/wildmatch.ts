/**
 * git's wildmatch (wildmatch.c) as a RegExp, for .gitattributes patterns. With `pathname`
 * (WM_PATHNAME, used for patterns containing '/'), `*`, `?` and `[...]` never match '/', and
 * `**` matches across directories only as a whole element: `**​/x`, `a/**​/b`, `a/**`.
 * Elsewhere `**` is a plain `*`. Without `pathname` (basename patterns) `*` matches anything.
 * Matching is case-sensitive (core.ignorecase is false on the servers that build archives)
 * and byte-wise like git's (`?` matches one byte of UTF-8, so never a whole "é"): the pattern
 * is compiled over UTF-8 bytes, and wildmatch() encodes the path the same way.
 */
export function wildmatch(pattern: string, pathname: boolean): (path: string) => boolean {
  const re = wildmatchRegExp(utf8Binary(pattern), pathname);
  return (path) => re.test(utf8Binary(path));
}

/** Each UTF-8 byte as one char (U+0000–U+00FF), so a RegExp works on bytes. */
function utf8Binary(s: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(s)) out += String.fromCharCode(b);
  return out;
}

/** The RegExp for a pattern already in utf8Binary form (exported for tests). */
export function wildmatchRegExp(pattern: string, pathname: boolean): RegExp {
  const star = pathname ? "[^/]*" : "[\\s\\S]*";
  const one = pathname ? "[^/]" : "[\\s\\S]";
  let re = "";
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "*") {
      let j = i;
      while (pattern[j] === "*") j++;
      const run = j - i;
      const atElementStart = i === 0 || pattern[i - 1] === "/";
      const atElementEnd = j === pattern.length || pattern[j] === "/" || (pattern[j] === "\\" && pattern[j + 1] === "/");
      if (pathname && run >= 2 && atElementStart && atElementEnd) {
        if (j === pattern.length) {
          re += "[\\s\\S]*"; // trailing "**" matches everything
          i = j;
        } else {
          re += "(?:[\\s\\S]*/)?"; // "**/" matches zero or more whole directories
          i = j + (pattern[j] === "\\" ? 2 : 1);
        }
      } else {
        re += star;
        i = j;
      }
      continue;
    }
    if (c === "?") {
      re += one;
      i++;
      continue;
    }
    if (c === "[") {
      const bracket = parseBracket(pattern, i, pathname);
      if (bracket === undefined) return /(?!)/; // an unterminated '[' makes wildmatch give up: no match
      re += bracket.re;
      i = bracket.end;
      continue;
    }
    if (c === "\\") {
      // A trailing backslash matches nothing in wildmatch.
      if (i + 1 >= pattern.length) return /(?!)/;
      re += escapeRegExp(pattern[i + 1]!);
      i += 2;
      continue;
    }
    re += escapeRegExp(c);
    i++;
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return /(?!)/; // e.g. a reversed range [z-a], which wildmatch never matches
  }
}

const CLASSES: Record<string, string> = {
  alnum: "a-zA-Z0-9",
  alpha: "a-zA-Z",
  blank: " \\t",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: " \\t\\n\\r\\f\\v",
  upper: "A-Z",
  xdigit: "0-9a-fA-F",
};

/** `[...]`: `!` or `^` negates, `]` first is literal, ranges, `[:class:]`, backslash escapes; never '/' with WM_PATHNAME. */
function parseBracket(p: string, start: number, pathname: boolean): { re: string; end: number } | undefined {
  let i = start + 1;
  let negated = false;
  if (p[i] === "!" || p[i] === "^") {
    negated = true;
    i++;
  }
  let set = "";
  let first = true;
  for (;;) {
    if (i >= p.length) return undefined;
    let c = p[i]!;
    if (c === "]" && !first) {
      i++;
      break;
    }
    first = false;
    if (c === "[" && p[i + 1] === ":") {
      const close = p.indexOf(":]", i + 2);
      if (close < 0) return undefined;
      const name = p.slice(i + 2, close);
      const cls = CLASSES[name];
      if (cls === undefined) return undefined; // wildmatch aborts on an unknown class
      set += cls;
      i = close + 2;
      continue;
    }
    if (c === "\\") {
      i++;
      if (i >= p.length) return undefined;
      c = p[i]!;
    }
    i++;
    if (p[i] === "-" && p[i + 1] !== undefined && p[i + 1] !== "]") {
      let hi = p[i + 1]!;
      i += 2;
      if (hi === "\\") {
        if (i >= p.length) return undefined;
        hi = p[i]!;
        i++;
      }
      set += `${escapeClass(c)}-${escapeClass(hi)}`;
      continue;
    }
    set += escapeClass(c);
  }
  const body = set === "" ? "" : set;
  if (negated) return { re: `[^${body}${pathname ? "/" : ""}]`, end: i };
  if (body === "") return { re: "(?!)", end: i };
  return { re: pathname ? `(?!/)[${body}]` : `[${body}]`, end: i };
}

function escapeRegExp(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

function escapeClass(c: string): string {
  return c.replace(/[\\\]^[-]/g, "\\$&");
}
