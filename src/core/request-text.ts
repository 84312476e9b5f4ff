// The Host a request named, for the 404 of a host no rule serves: the operator
// behind a reverse proxy sees which Host arrived. It is request data, so only
// a well-formed host name or address (with an optional port) is shown, cut at
// MAX_SHOWN_HOST characters; anything else (control characters, markup,
// quotes, spaces, text meant for a log line) is described, never echoed:
// plain-text answers carry nothing from the request but validated parts.

/** Longest Host shown; DNS names have at most 253 characters, so real ones are rarely cut. */
export const MAX_SHOWN_HOST = 100;

const HOST_NAME = /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;
const IP_LITERAL = /^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/;

/** "the host go.example.com:8443", or why the Host is not shown. */
export function describeHost(host: string | undefined): string {
  if (host === undefined || host === "") return "a request without a Host header";
  if (!HOST_NAME.test(host) && !IP_LITERAL.test(host)) return `a Host header that is not a host name (${host.length} characters)`;
  return host.length > MAX_SHOWN_HOST ? `the host ${host.slice(0, MAX_SHOWN_HOST)}...` : `the host ${host}`;
}
