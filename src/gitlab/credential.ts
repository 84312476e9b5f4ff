// A client's credential, as the go command sends it: HTTP Basic from .netrc
// or GOAUTH (https only), or a bearer token (GOAUTH with a header line). It is
// used for one thing — asking GitLab whether it may read a repository — and is
// never logged, stored or sent anywhere else.

export interface Credential {
  /** Basic's login; "oauth2" for a bearer token (how GitLab's git endpoint takes OAuth and personal tokens). */
  user: string;
  secret: string;
}

/**
 * The credential in an Authorization header: undefined when there is none;
 * "malformed" when there is a header we cannot read (answered like a
 * rejected credential: the client must fix it).
 */
export function credentialOf(authorization: string | undefined | null): Credential | undefined | "malformed" {
  if (authorization === undefined || authorization === null || authorization === "") return undefined;
  const space = authorization.indexOf(" ");
  if (space < 0) return "malformed";
  const scheme = authorization.slice(0, space).toLowerCase();
  const value = authorization.slice(space + 1).trim();
  if (scheme === "bearer") return value === "" ? "malformed" : { user: "oauth2", secret: value };
  if (scheme !== "basic") return "malformed";
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)));
  } catch {
    return "malformed";
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return "malformed";
  const user = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  if (secret === "") return "malformed";
  return { user, secret };
}

/** Basic credentials for GitLab's git HTTP endpoint (what `git clone` sends). */
export function basicAuthorization(c: Credential): string {
  const bytes = new TextEncoder().encode(`${c.user}:${c.secret}`);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}
