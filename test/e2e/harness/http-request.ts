// A raw HTTP/1.1 request with a Host header of our choosing (fetch forbids
// setting Host), to talk to modgate as the forward proxy or a browser would.
import { request } from "node:http";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export function httpRequest(baseUrl: string, opts: { path: string; host?: string; method?: string }): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: opts.method ?? "GET",
        path: opts.path,
        headers: opts.host ? { host: opts.host } : {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = String(v);
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}
