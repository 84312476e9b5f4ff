// "1 module", "2 modules": every message that counts says it the same way.

/** `n` and the noun, plural unless n is 1 (the nouns modgate counts take an "s"). */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
