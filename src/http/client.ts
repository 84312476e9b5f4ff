// Who sent a request, as far as the module proxy needs to know: its
// credential, and its address for the limits on failed credential checks
// (src/proxy/auth/failed-checks.ts). Each runtime makes one per request
// (Node: the socket's peer, or X-Forwarded-For behind a trusted proxy,
// src/node/client-address.ts; Workers: CF-Connecting-IP). Both are read only
// when asked for: a public module's answer never looks at either.

export interface Client {
  /** The request's Authorization header, as received. */
  readonly authorization: string | undefined;
  /** The client's address as this runtime knows it; "" when it does not. */
  address(): string;
}
