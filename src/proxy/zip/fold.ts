/**
 * x/mod/zip's strToFold: each rune replaced by the smallest rune of its Unicode simple
 * case-folding orbit (unicode.SimpleFold), A–Z then lowered. Two paths with the same fold
 * collide on case-insensitive file systems (macOS, Windows), so a zip must not hold both.
 *
 * JS has no SimpleFold; the orbit is rebuilt from toUpperCase/toLowerCase, keeping only
 * one-rune results (multi-rune mappings such as ß → SS are full folding, not simple).
 */
export function strToFold(s: string): string {
  if (!/[^\x00-\x7f]|[A-Z]/.test(s)) return s; // fast path, as in Go
  let out = "";
  for (const ch of s) {
    let r = minOfOrbit(ch);
    if (r >= 0x41 && r <= 0x5a) r += 0x20;
    out += String.fromCodePoint(r);
  }
  return out;
}

const orbitMin = new Map<string, number>();

function minOfOrbit(ch: string): number {
  const cached = orbitMin.get(ch);
  if (cached !== undefined) return cached;
  const seen = new Set<string>([ch]);
  const queue = [ch];
  while (queue.length > 0) {
    const c = queue.pop()!;
    for (const next of [c.toLowerCase(), c.toUpperCase()]) {
      if ([...next].length === 1 && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  const min = Math.min(...[...seen].map((c) => c.codePointAt(0)!));
  orbitMin.set(ch, min);
  return min;
}
