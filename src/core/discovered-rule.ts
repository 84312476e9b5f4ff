// What the router needs of a rule whose modules are found at request time
// (a GitLab group rule, src/discovery/group-rule.ts). Kept here so the core
// depends on no particular discovery.
import type { CompiledModule } from "./compiled.js";
import type { ResolvedModule } from "./rule.js";

/**
 * freshUntil: until when the same request gets the same resolution (absent when a stale answer was used).
 * missing.why: said in the 404 when there is more to say than "not found" (a project moved out of the group).
 * unavailable.reason: what clients may be told (the operator's detail goes to the log, not here).
 */
export type DiscoveredResolution =
  | { kind: "found"; module: ResolvedModule; rest: string; freshUntil?: number }
  | { kind: "missing"; freshUntil?: number; why?: string }
  | { kind: "unavailable"; reason: string };

export interface DiscoveredRule {
  readonly module: CompiledModule & { group: NonNullable<CompiledModule["group"]> };
  /** Number of path elements after the host. */
  readonly depth: number;
  /** `below`: the request's validated elements after the rule's path. */
  resolve(below: readonly string[]): Promise<DiscoveredResolution>;
}
