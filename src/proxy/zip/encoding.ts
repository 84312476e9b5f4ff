/**
 * working-tree-encoding for the encodings git + glibc iconv handle without tables: UTF-16 and
 * UTF-32 in each byte order. Names as git passes them to iconv: "UTF-16" and "UTF-32" get a
 * BOM and the machine's byte order (little-endian on the x86/arm servers that run Gitaly and
 * the go command); "UTF-16LE-BOM"/"UTF-16BE-BOM" are git's own (utf8.c reencode_string_len).
 * Content that is not valid UTF-8 is left as it is: iconv fails, git prints an error and
 * keeps the bytes (convert.c encode_to_worktree returns 0). Any other encoding throws, since
 * modgate cannot reproduce what iconv would write.
 */
export function encodeWorkingTree(utf8: Uint8Array, encoding: string, path: string): Uint8Array {
  const target = TARGETS[encoding.toUpperCase().replace(/^UTF-?/, "UTF")];
  if (target === undefined) {
    throw new Error(
      `${path}: working-tree-encoding=${encoding} is not supported by modgate (UTF-16, UTF-16LE, UTF-16BE, UTF-16LE-BOM, UTF-16BE-BOM, UTF-32, UTF-32LE, UTF-32BE are); the go command's zip for this version cannot be reproduced`,
    );
  }
  // git leaves an empty file alone (no BOM).
  if (utf8.length === 0) return utf8;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(utf8);
  } catch {
    return utf8;
  }
  const codePoints = Array.from(text, (ch) => ch.codePointAt(0)!);
  return target.width === 2 ? utf16(codePoints, target) : utf32(codePoints, target);
}

interface Target {
  width: 2 | 4;
  littleEndian: boolean;
  bom: boolean;
}

const TARGETS: Record<string, Target> = {
  UTF16: { width: 2, littleEndian: true, bom: true },
  UTF16LE: { width: 2, littleEndian: true, bom: false },
  UTF16BE: { width: 2, littleEndian: false, bom: false },
  "UTF16LE-BOM": { width: 2, littleEndian: true, bom: true },
  "UTF16BE-BOM": { width: 2, littleEndian: false, bom: true },
  UTF32: { width: 4, littleEndian: true, bom: true },
  UTF32LE: { width: 4, littleEndian: true, bom: false },
  UTF32BE: { width: 4, littleEndian: false, bom: false },
};

function utf16(codePoints: number[], t: Target): Uint8Array {
  const units: number[] = t.bom ? [0xfeff] : [];
  for (const cp of codePoints) {
    if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    else units.push(cp);
  }
  const out = new Uint8Array(units.length * 2);
  const view = new DataView(out.buffer);
  units.forEach((u, i) => view.setUint16(i * 2, u, t.littleEndian));
  return out;
}

function utf32(codePoints: number[], t: Target): Uint8Array {
  const all = t.bom ? [0xfeff, ...codePoints] : codePoints;
  const out = new Uint8Array(all.length * 4);
  const view = new DataView(out.buffer);
  all.forEach((cp, i) => view.setUint32(i * 4, cp, t.littleEndian));
  return out;
}
