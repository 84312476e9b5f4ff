// The config's server: limits applied to a node:http server, at start and on
// every reload (node reads these properties on each check, so a reload takes
// effect for new connections and the next timeout check).
import type { Server } from "node:http";
import type { CompiledConfig, CompiledServerLimits } from "../core/compiled.js";
import { DEFAULT_SERVER_LIMITS } from "../config/server-limits.js";

/**
 * How often node:http checks headersTimeout and requestTimeout. Its default,
 * 30 s, would let a 10 s headers timeout run to 40 s. Fixed at creation.
 */
export const TIMEOUT_CHECK_INTERVAL_MS = 500;

/** A dropped connection is reported at most this often, so a flood writes a line a minute, not a line per connection. */
const DROP_REPORT_INTERVAL_MS = 60_000;

export function limitsOf(config: CompiledConfig): CompiledServerLimits {
  return config.server ?? DEFAULT_SERVER_LIMITS;
}

/** Options for createServer: the timeouts must be right from the first connection. */
export function serverOptions(limits: CompiledServerLimits) {
  return {
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  };
}

export function applyLimits(server: Server, limits: CompiledServerLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Connections beyond the cap are closed as they are accepted (node:http's "drop" event).
  server.maxConnections = limits.maxConnections;
}

/**
 * Tells the operator when the connection cap turns clients away: one line
 * at the first drop, then at most one a minute with the count since.
 */
export function reportDrops(server: Server, report: (line: string) => void, now: () => number = Date.now): void {
  let lastReport = -Infinity;
  let unreported = 0;
  server.on("drop", () => {
    unreported++;
    if (now() - lastReport < DROP_REPORT_INTERVAL_MS) return;
    lastReport = now();
    report(
      `modgate: connection cap reached (server.maxConnections: ${server.maxConnections}): closed ${unreported} new connection${unreported === 1 ? "" : "s"}; ` +
        "raise server.maxConnections, or look for clients holding connections open",
    );
    unreported = 0;
  });
}
