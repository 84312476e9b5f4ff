// The one access decision every answer about a project passes. Public
// projects are open to everyone; until per-client authorisation lands
// (issue 11), anything else is refused with 403 — never 404, which would
// send the module path on to the next proxy in the client's list.
import type { PlainAnswer } from "../core/responses.js";
import { textAnswer } from "../core/responses.js";

export type Visibility = "public" | "internal" | "private";

export interface AccessRequest {
  modulePath: string;
  visibility: Visibility;
}

/** undefined: allowed; otherwise the answer to give instead. */
export function decideAccess(request: AccessRequest): PlainAnswer | undefined {
  if (request.visibility === "public") return undefined;
  return textAnswer(403, `${request.modulePath}: private modules need credentials; this modgate serves only public GitLab projects through its proxy`);
}
