import { variableName } from "./compiled.js";

/**
 * A string with {variable} holes, split once so filling it is a join.
 * Variables are numbered by their position in the rule's path.
 */
export class Template {
  private readonly parts: Array<string | number>;
  readonly isLiteral: boolean;

  constructor(source: string, variables: readonly string[]) {
    this.parts = [];
    const re = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
    let last = 0;
    for (let m = re.exec(source); m; m = re.exec(source)) {
      const index = variables.indexOf(m[1]!);
      if (index < 0) continue; // not one of the rule's variables: literal text
      this.parts.push(source.slice(last, m.index), index);
      last = m.index + m[0].length;
    }
    this.parts.push(source.slice(last));
    this.isLiteral = this.parts.length === 1;
  }

  fill(values: readonly string[]): string {
    if (this.isLiteral) return this.parts[0] as string;
    let out = "";
    for (const p of this.parts) out += typeof p === "number" ? values[p]! : p;
    return out;
  }
}

/** The variable names of a rule's elements, in order. */
export function variablesOf(elements: readonly string[]): string[] {
  const names: string[] = [];
  for (const e of elements) {
    const name = variableName(e);
    if (name !== undefined) names.push(name);
  }
  return names;
}
