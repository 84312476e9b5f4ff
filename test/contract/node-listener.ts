// The contract tables on Node run through the listener production Node uses
// (src/node/request-listener.ts on node:http), not through the Hono app:
// each case's request is sent over loopback with its raw path and Host.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequestListener } from "../../src/node/request-listener.js";
import { Metrics } from "../../src/node/metrics.js";
import type { Modgate } from "../../src/app/modgate.js";

export interface NodeListener {
  /** Sends a Web Request to the listener and reads the answer as a Web Response. */
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
}

export async function startNodeListener(router: () => Modgate): Promise<NodeListener> {
  const server: Server = createServer(createRequestListener({ modgate: router, metrics: new Metrics(), stopping: () => false }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    fetch: (request) => send(port, request),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(port: number, request: Request): Promise<Response> {
  const url = request.url;
  const afterScheme = url.indexOf("//") + 2;
  const slash = url.indexOf("/", afterScheme);
  const host = url.slice(afterScheme, slash < 0 ? url.length : slash);
  const path = slash < 0 ? "/" : url.slice(slash);
  const headers: Record<string, string> = { host };
  request.headers.forEach((value, name) => (headers[name] = value));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method: request.method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const out = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
        }
        const status = res.statusCode ?? 0;
        const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
        resolve(new Response(body, { status, headers: out }));
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
