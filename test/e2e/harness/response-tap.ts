import { createServer, request as httpRequest } from "node:http";
import { closeServer, listenLoopback, LOOPBACK } from "./net.js";

export interface TappedResponse {
  method: string;
  /** Host header as received. */
  host: string;
  /** Request target as received. */
  path: string;
  status: number;
  /** Response headers as the upstream sent them, name: value per line. */
  rawHeaders: string;
  body: Buffer;
}

export interface ResponseTap {
  /** `http://127.0.0.1:PORT`: send requests here instead of to the upstream. */
  url: string;
  /** Every response the upstream sent through the tap, in completion order. */
  responses: TappedResponse[];
  close(): Promise<void>;
}

/**
 * A reverse proxy in front of one upstream that records every response it relays, headers and
 * body, so a test can assert on everything a server sent (e.g. that a secret never left it),
 * whoever asked: the go command through the forward proxy, or a raw request.
 */
export async function startResponseTap(upstream: string): Promise<ResponseTap> {
  const target = new URL(upstream);
  const responses: TappedResponse[] = [];
  const server = createServer((req, res) => {
    const outgoing = httpRequest(
      {
        hostname: target.hostname,
        port: target.port || 80,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamRes) => {
        const chunks: Buffer[] = [];
        upstreamRes.on("data", (c: Buffer) => chunks.push(c));
        upstreamRes.on("end", () => {
          const body = Buffer.concat(chunks);
          const lines: string[] = [];
          for (let i = 0; i + 1 < upstreamRes.rawHeaders.length; i += 2) {
            lines.push(`${upstreamRes.rawHeaders[i]}: ${upstreamRes.rawHeaders[i + 1]}`);
          }
          responses.push({
            method: req.method ?? "GET",
            host: req.headers.host ?? "",
            path: req.url ?? "",
            status: upstreamRes.statusCode ?? 0,
            rawHeaders: lines.join("\r\n"),
            body,
          });
          const headers = { ...upstreamRes.headers };
          // The body is relayed whole, so its length is known (HEAD keeps the upstream's).
          if (req.method !== "HEAD") {
            delete headers["transfer-encoding"];
            headers["content-length"] = String(body.length);
          }
          res.writeHead(upstreamRes.statusCode ?? 502, headers).end(body);
        });
        upstreamRes.on("error", () => res.destroy());
      },
    );
    outgoing.on("error", (err) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`response tap: upstream ${upstream} failed: ${err.message}\n`);
    });
    req.pipe(outgoing);
  });
  const port = await listenLoopback(server);
  return { url: `http://${LOOPBACK}:${port}`, responses, close: () => closeServer(server) };
}
