// ${VAR} in config strings. On Node every reference is expanded from the
// environment when the file is loaded; a Worker build expands them from the
// build environment, except the GitLab token, which stays a reference and is
// read from the Worker's secrets at run time so it is never bundled.
import type { ConfigPath, Problem } from "./problems.js";

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export type Environment = Readonly<Record<string, string | undefined>>;

export interface ExpandOptions {
  env: Environment;
  /** Paths whose references are kept as written, e.g. ["gitlab", "token"] for Worker builds. */
  keep?: ReadonlyArray<ConfigPath>;
}

/** A copy of `data` with ${VAR} references expanded; missing variables become problems. */
export function expandVariables(data: unknown, options: ExpandOptions, problems: Problem[]): unknown {
  const keep = (options.keep ?? []).map((p) => p.join("\u0000"));
  const walk = (value: unknown, path: Array<string | number>): unknown => {
    if (typeof value === "string") {
      if (keep.includes(path.join("\u0000"))) return value;
      return value.replace(REFERENCE, (ref, name: string) => {
        const v = options.env[name];
        if (v === undefined) {
          const isToken = path.length === 2 && path[0] === "gitlab" && path[1] === "token";
          // A token is never written in the file: only the environment can supply it.
          const instead = isToken ? "" : ", or write the value";
          problems.push({ path, message: `${ref} is not set: set the environment variable ${name}${instead}` });
          return ref;
        }
        return v;
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return value;
  };
  return walk(data, []);
}

/** The single variable a value refers to ("${GITLAB_TOKEN}" → "GITLAB_TOKEN"), if that is all it is. */
export function soleReference(value: string): string | undefined {
  return /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value)?.[1];
}

/** Resolves a kept reference at run time (Workers: from env bindings). */
export function resolveReference(value: string, env: Environment): { value?: string; missing?: string } {
  const name = soleReference(value);
  if (name === undefined) return { value };
  const v = env[name];
  return v === undefined || v === "" ? { missing: name } : { value: v };
}
