import type { AttrValue, PathAttributes } from "./gitattributes.js";
import { encodeWorkingTree } from "./encoding.js";

/**
 * What `git -c core.autocrlf=input -c core.eol=lf archive` writes for a regular file once
 * `* -export-subst -export-ignore` is forced (the go command's ensureGitAttributes,
 * cmd/go/internal/modfetch/codehost/git.go): git convert.c convert_to_working_tree, i.e.
 * ident → end-of-line → working-tree-encoding. `filter` drivers are not applied: they need
 * the client's git config, and the go command's canonical result (proxy.golang.org) has none.
 * The whole file is in memory, as in git.
 */
export function toWorkingTree(raw: Uint8Array, attrs: PathAttributes, blobId: string, path = "<file>"): Uint8Array {
  const action = crlfAction(attrs);
  let out = attrs.ident === true ? identToWorktree(raw, blobId) : raw;
  out = crlfToWorktree(out, action);
  const encoding = workingTreeEncoding(attrs["working-tree-encoding"], path);
  if (encoding !== undefined) out = encodeWorkingTree(out, encoding, path);
  return out;
}

/** Whether toWorkingTree can change a file with these attributes; false ⇒ the raw blob is the zip content. */
export function mayConvert(attrs: PathAttributes): boolean {
  return attrs.ident === true || outputEol(crlfAction(attrs)) === "crlf" || workingTreeEncoding(attrs["working-tree-encoding"], "<file>") !== undefined;
}

/** convert.c's crlf_action values after convert_attrs, for core.autocrlf=input. */
export type CrlfAction = "binary" | "text-input" | "text-crlf" | "auto" | "auto-input" | "auto-crlf";

/** git_path_check_crlf on `text`, else on the legacy `crlf`: set ⇒ text, unset ⇒ binary, input, auto. */
function checkCrlf(value: AttrValue): "text" | "binary" | "text-input" | "auto" | undefined {
  if (value === true) return "text";
  if (value === false) return "binary";
  if (value === "input") return "text-input";
  if (value === "auto") return "auto";
  return undefined;
}

/** convert.c convert_attrs with core.autocrlf=input (which makes core.eol irrelevant). */
export function crlfAction(attrs: PathAttributes): CrlfAction {
  let action: "text" | "binary" | "text-input" | "auto" | CrlfAction | undefined = checkCrlf(attrs.text) ?? checkCrlf(attrs.crlf);
  if (action !== "binary") {
    // eol=lf / eol=crlf imply text (or pick the auto flavour), unless the file is binary.
    const eol = attrs.eol === "lf" ? "lf" : attrs.eol === "crlf" ? "crlf" : undefined;
    if (action === "auto" && eol === "lf") action = "auto-input";
    else if (action === "auto" && eol === "crlf") action = "auto-crlf";
    else if (eol === "lf") action = "text-input";
    else if (eol === "crlf") action = "text-crlf";
  }
  // text without eol follows text_eol_is_crlf(), false with autocrlf=input.
  if (action === "text") return "text-input";
  // No attribute: autocrlf=input means AUTO_INPUT.
  if (action === undefined) return "auto-input";
  return action;
}

/** convert.c output_eol: only TEXT_CRLF and AUTO_CRLF write CRLF here (AUTO follows text_eol_is_crlf(), false). */
function outputEol(action: CrlfAction): "crlf" | "lf" | undefined {
  if (action === "binary") return undefined;
  return action === "text-crlf" || action === "auto-crlf" ? "crlf" : "lf";
}

export interface TextStats {
  nul: number;
  lonecr: number;
  lonelf: number;
  crlf: number;
  printable: number;
  nonprintable: number;
}

/** convert.c gather_stats. */
export function gatherStats(buf: Uint8Array): TextStats {
  const s: TextStats = { nul: 0, lonecr: 0, lonelf: 0, crlf: 0, printable: 0, nonprintable: 0 };
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === 0x0d) {
      if (buf[i + 1] === 0x0a) {
        s.crlf++;
        i++;
      } else s.lonecr++;
      continue;
    }
    if (c === 0x0a) {
      s.lonelf++;
      continue;
    }
    if (c === 0x7f) s.nonprintable++;
    else if (c < 32) {
      // BS, HT, ESC and FF count as printable.
      if (c === 0x08 || c === 0x09 || c === 0x1b || c === 0x0c) s.printable++;
      else {
        if (c === 0) s.nul++;
        s.nonprintable++;
      }
    } else s.printable++;
  }
  // A trailing ^Z (DOS end of file) is not held against the file.
  if (buf.length >= 1 && buf[buf.length - 1] === 0x1a) s.nonprintable--;
  return s;
}

/** convert.c convert_is_binary: lone CR, NUL, or more than 1 non-printable per 128 printable. */
export function isBinary(s: TextStats): boolean {
  return s.lonecr > 0 || s.nul > 0 || s.printable >> 7 < s.nonprintable;
}

/** convert.c crlf_to_worktree + will_convert_lf_to_crlf. */
function crlfToWorktree(src: Uint8Array, action: CrlfAction): Uint8Array {
  if (src.length === 0 || outputEol(action) !== "crlf") return src;
  const stats = gatherStats(src);
  if (stats.lonelf === 0) return src;
  // The "safer autocrlf": auto never touches a file with CRs already, nor a binary one.
  if (action === "auto-crlf" && (stats.lonecr > 0 || stats.crlf > 0 || isBinary(stats))) return src;
  const out = new Uint8Array(src.length + stats.lonelf);
  let o = 0;
  let last = 0;
  for (const c of src) {
    if (c === 0x0a && last !== 0x0d) out[o++] = 0x0d;
    out[o++] = c;
    last = c;
  }
  return out;
}

/**
 * convert.c ident_to_worktree: `$Id$` and `$Id: ... $` become `$Id: <blob id> $`. An
 * expansion spanning a newline, or with a space other than right after ':' or right before
 * the closing '$' (another VCS's id), is left alone.
 */
function identToWorktree(src: Uint8Array, blobId: string): Uint8Array {
  if (countIdent(src) === 0) return src;
  const replacement = new TextEncoder().encode(`Id: ${blobId} $`);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const dollar = src.indexOf(0x24, at);
    if (dollar < 0) break;
    parts.push(src.subarray(at, dollar + 1));
    at = dollar + 1;
    const len = src.length - at;
    if (len < 3 || src[at] !== 0x49 /* I */ || src[at + 1] !== 0x64 /* d */) continue;
    if (src[at + 2] === 0x24) {
      at += 3;
    } else if (src[at + 2] === 0x3a /* : */) {
      const close = src.indexOf(0x24, at + 3);
      if (close < 0) break; // incomplete keyword: git stops looking
      if (src.subarray(at + 3, close).includes(0x0a)) continue;
      // git looks for a space from at+4 up to the '$'; one before close-1 means a foreign id.
      const spaceFrom = at + 4;
      const space = spaceFrom < close ? src.subarray(spaceFrom, close).indexOf(0x20) : -1;
      if (space >= 0 && spaceFrom + space < close - 1) continue;
      at = close + 1;
    } else {
      continue;
    }
    parts.push(replacement);
  }
  parts.push(src.subarray(at));
  return concat(parts);
}

/** convert.c count_ident: `$Id$` or `$Id:` ... `$` on one line. */
function countIdent(src: Uint8Array): number {
  let count = 0;
  let i = 0;
  while (i < src.length) {
    const ch = src[i++];
    if (ch !== 0x24) continue;
    if (src.length - i < 3) break;
    if (src[i] !== 0x49 || src[i + 1] !== 0x64) continue;
    const next = src[i + 2];
    i += 3;
    if (next === 0x24) count++;
    if (next !== 0x3a) continue;
    while (i < src.length) {
      const c = src[i++];
      if (c === 0x24) {
        count++;
        break;
      }
      if (c === 0x0a) break;
    }
  }
  return count;
}

/**
 * convert.c git_path_check_encoding: unspecified or empty ⇒ none; set/unset makes git die
 * (so the go command fails to build the zip); UTF-8 itself ⇒ none.
 */
function workingTreeEncoding(value: AttrValue, path: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === true || value === false) {
    throw new Error(`${path}: working-tree-encoding must name an encoding; git archive stops with "true/false are no valid working-tree-encodings"`);
  }
  if (/^utf-?8$/i.test(value)) return undefined;
  return value;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
