// The one access decision every answer about a project passes (issue 11).
// Public projects are open to everyone and a credential sent anyway is not
// checked. Anything else is answered only to a client whose own credential
// GitLab accepts for reading that project's repository:
//   no credential         → 401 with WWW-Authenticate (the go command re-runs GOAUTH and retries once)
//   GitLab rejects it     → 401
//   accepted, no access   → 403
// — never 404 for a module under an owned host: a 404 sends the path on to
// the next proxy in the client's GOPROXY list.
import type { PlainAnswer } from "../http/responses.js";
import { textAnswer } from "../http/responses.js";
import { credentialOf, type Credential } from "../gitlab/credential.js";
import type { Client } from "../http/client.js";
import type { AccessDecisions } from "./auth/decisions.js";
import type { AccessVerdict } from "../gitlab/client.js";
import type { Visibility } from "../gitlab/project.js";

export interface AccessRequest {
  modulePath: string;
  /** The GitLab project (full path) whose repository holds the module. */
  project: string;
  visibility: Visibility;
  /** Who asks: the Authorization header, as received, and the address. */
  client: Client | undefined;
}

export type AccessCheck = (project: string, credential: Credential) => Promise<AccessVerdict>;

export class AccessControl {
  constructor(
    private readonly decisions: AccessDecisions,
    private readonly check: AccessCheck,
  ) {}

  /** undefined: allowed; otherwise the answer to give instead. GitLab failing throws (a 5xx, never a decision). */
  async decide(request: AccessRequest): Promise<PlainAnswer | undefined> {
    if (request.visibility === "public") return undefined;
    const host = hostOf(request.modulePath);
    const credential = credentialOf(request.client?.authorization);
    if (credential === undefined) {
      return unauthorized(host, `${request.modulePath}: a private module: send a GitLab token with read_repository; put it in ~/.netrc (machine ${host} login <you> password <token>) and use https`);
    }
    if (credential === "malformed") {
      return unauthorized(host, `${request.modulePath}: the Authorization header is not HTTP Basic or Bearer credentials; put a GitLab token in ~/.netrc for ${host}`);
    }
    const verdict = await this.decisions.decide(credential, request.project, () => this.check(request.project, credential));
    if (verdict === "allowed") return undefined;
    if (verdict === "rejected") {
      return unauthorized(host, `${request.modulePath}: GitLab token rejected (401); put a token with read_repository in ~/.netrc for ${host}`);
    }
    return textAnswer(403, `${request.modulePath}: GitLab does not let this token read the module's repository (403); ask for Reporter access or use another token`, PRIVATE);
  }
}

const PRIVATE = { "Cache-Control": "no-store" };

function unauthorized(host: string, line: string): PlainAnswer {
  return textAnswer(401, line, { ...PRIVATE, "WWW-Authenticate": `Basic realm="${host}"` });
}

/** The module path's host: the realm, and the `machine` a .netrc line must name. */
function hostOf(modulePath: string): string {
  const slash = modulePath.indexOf("/");
  return slash < 0 ? modulePath : modulePath.slice(0, slash);
}
