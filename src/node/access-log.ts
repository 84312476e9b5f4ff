// One JSON line per request on stdout, for log shippers. MODGATE_LOG=off silences it.
import { splitTarget } from "../core/app.js";

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export function withAccessLog(handler: FetchHandler, write: (line: string) => void): FetchHandler {
  return async (request) => {
    const start = performance.now();
    const response = await handler(request);
    const { authority, path, query } = splitTarget(request.url);
    write(
      JSON.stringify({
        time: new Date().toISOString(),
        method: request.method,
        host: authority,
        path,
        query,
        status: response.status,
        ms: Math.round((performance.now() - start) * 1000) / 1000,
      }) + "\n",
    );
    return response;
  };
}

export function accessLogEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.MODGATE_LOG !== "off";
}
