// Go modules of a chosen size for the zip benchmarks: 256 KiB files of
// pseudo-random identifiers in comments, text that deflates to ~60 % like
// real source (all-zero or all-random files would flatter or punish the
// compressor). Deterministic per size, so runs build the same bytes.
const FILE_BYTES = 256 * 1024;

/** go.mod and ceil(mib × 4) files of 256 KiB (a smaller last one for fractions of a MiB). */
export function goSourceFiles(modulePath: string, mib: number, seedOf = mib): Record<string, string> {
  const files: Record<string, string> = { "go.mod": `module ${modulePath}\n\ngo 1.21\n` };
  let seed = Math.round(seedOf * 7919) || 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
  let left = Math.round(mib * 1024 * 1024);
  for (let f = 0; left > 0; f++) {
    const size = Math.min(FILE_BYTES, left);
    let s = "package m\n\n// ";
    while (s.length < size) s += rnd().toString(36) + (rnd() % 9 === 0 ? "\n// " : " ");
    files[`f${f}.go`] = s;
    left -= size;
  }
  return files;
}
