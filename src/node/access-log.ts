// One JSON line per request on stdout, for log shippers. MODGATE_LOG=off silences it.
import type { AccessLogEntry } from "./request-listener.js";

export function formatAccessLog(entry: AccessLogEntry): string {
  const q = entry.target.indexOf("?");
  return (
    JSON.stringify({
      time: new Date().toISOString(),
      method: entry.method,
      host: entry.host,
      path: q < 0 ? entry.target : entry.target.slice(0, q),
      query: q < 0 ? "" : entry.target.slice(q + 1),
      status: entry.status,
      ms: Math.round(entry.ms * 1000) / 1000,
    }) + "\n"
  );
}

export function accessLogEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.MODGATE_LOG !== "off";
}
