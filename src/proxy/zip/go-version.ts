/**
 * The `go` directive of a go.mod as x/mod/zip reads it for its vendor rules
 * (parseGoVers: modfile.ParseLax, then Go.Version; "" on any parse error). Only what decides
 * the answer in practice is reproduced: comments, `go X` at top level, the lax fix of
 * `1.24.x`-style versions (laxGoVersionRE), and the errors that void it (a repeated go line,
 * a bad version, extra arguments, a block that never closes). Other syntax errors that make
 * ParseLax fail (e.g. `require x` without a version) are not detected: the go line is still
 * returned. Returns undefined where x/mod would have "".
 */
export function goVersionOfGoMod(goMod: string): string | undefined {
  let version: string | undefined;
  let depth = 0;
  for (const rawLine of goMod.split('\n')) {
    const line = rawLine.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;
    if (depth > 0) {
      if (line === ')') depth--;
      continue;
    }
    const fields = line.split(/\s+/);
    if (fields[fields.length - 1] === '(') {
      if (fields[0] === 'go') return undefined; // go directives take no block
      depth++;
      continue;
    }
    if (fields[0] !== 'go') continue;
    if (version !== undefined) return undefined; // repeated go statement
    if (fields.length !== 2) return undefined; // go directive expects exactly one argument
    const arg = fields[1]!;
    if (GO_VERSION_RE.test(arg)) version = arg;
    else {
      const lax = LAX_GO_VERSION_RE.exec(arg);
      if (!lax) return undefined;
      version = lax[1]!;
    }
  }
  return depth > 0 ? undefined : version;
}

/** modfile.GoVersionRE and laxGoVersionRE (x/mod/modfile/rule.go). */
const GO_VERSION_RE = /^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$/;
const LAX_GO_VERSION_RE = /^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$/;
