import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, type Socket } from "node:net";
import { closeServer, listenLoopback, LOOPBACK } from "./net.js";

export interface ProxyOptions {
  /** Host (as in the request URL, port included when not 80) → upstream origin, e.g. `http://127.0.0.1:8080`. */
  upstreams?: Record<string, string>;
  /** Upstream for hosts not in `upstreams`; without it such requests get 502. */
  defaultUpstream?: string;
  /**
   * CONNECT authority (`go.example.com:443`) → TCP `host:port` to tunnel to, e.g. a TLS
   * terminator (tls.ts). CONNECT to any other authority is refused with 502 as before.
   */
  connectUpstreams?: Record<string, string>;
}

export interface ProxiedRequest {
  method: string;
  /** Target host; for CONNECT the `host:port` authority. */
  host: string;
  /** Origin-form path and query; empty for CONNECT. */
  path: string;
  /** Upstream origin the request went to, if any. */
  upstream?: string;
}

export interface ForwardProxy {
  port: number;
  /** `http://127.0.0.1:PORT`, the value for HTTP_PROXY and HTTPS_PROXY. */
  url: string;
  /** Every request seen, CONNECT attempts included, in arrival order. */
  requests: ProxiedRequest[];
  /** Maps a host to an upstream after start, e.g. once the server under test knows its port. */
  setUpstream(host: string, upstream: string): void;
  /** Tunnels CONNECT `authority` (`host:443`) to TCP `target` (`127.0.0.1:PORT`) from now on. */
  setConnectUpstream(authority: string, target: string): void;
  close(): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the proxy's own; everything else, Host included, is kept. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function endToEndHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/**
 * An HTTP forward proxy that lets the go command reach vanity hosts such as go.example.com
 * without DNS: absolute-form requests are rewritten to origin-form and sent, Host unchanged,
 * to the upstream mapped for that host. CONNECT (the go command's https attempt) is tunnelled
 * to the TCP target mapped in `connectUpstreams` (a TLS terminator holding a certificate for the
 * vanity host, so https works end to end); an unmapped CONNECT is refused with 502, which the
 * client sees as a connection-level failure, so with GOINSECURE it falls back to plain http.
 */
export async function startForwardProxy(opts: ProxyOptions = {}): Promise<ForwardProxy> {
  const upstreams = new Map(Object.entries(opts.upstreams ?? {}));
  const tunnels = new Map(Object.entries(opts.connectUpstreams ?? {}).map(([a, t]) => [a.toLowerCase(), t]));
  const requests: ProxiedRequest[] = [];
  // Tunnelled sockets leave the http server's bookkeeping: close() must end them itself.
  const tunnelSockets = new Set<Socket>();

  const server = createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("forward proxy: absolute-form request expected\n");
      return;
    }
    const path = `${target.pathname}${target.search}`;
    const upstream = upstreams.get(target.host) ?? opts.defaultUpstream;
    requests.push({ method: req.method ?? "GET", host: target.host, path, ...(upstream ? { upstream } : {}) });
    if (upstream === undefined || target.protocol !== "http:") {
      res.writeHead(502, { "content-type": "text/plain" }).end(`forward proxy: no upstream for ${target.host}\n`);
      return;
    }
    const upstreamUrl = new URL(upstream);
    const outgoing = httpRequest(
      {
        hostname: upstreamUrl.hostname,
        port: upstreamUrl.port || 80,
        method: req.method,
        path,
        headers: endToEndHeaders(req.headers),
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, endToEndHeaders(upstreamRes.headers));
        upstreamRes.pipe(res);
      },
    );
    outgoing.on("error", (err) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`forward proxy: upstream ${upstream} failed: ${err.message}\n`);
    });
    req.pipe(outgoing);
  });

  server.on("connect", (req, clientSocket: Socket, head: Buffer) => {
    const authority = req.url ?? "";
    const target = tunnels.get(authority.toLowerCase());
    requests.push({ method: "CONNECT", host: authority, path: "", ...(target ? { upstream: target } : {}) });
    if (target === undefined) {
      clientSocket.end("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    const colon = target.lastIndexOf(":");
    const upstream = connect({ host: target.slice(0, colon), port: Number(target.slice(colon + 1)) });
    for (const s of [clientSocket, upstream]) {
      tunnelSockets.add(s);
      s.on("close", () => tunnelSockets.delete(s));
    }
    let connected = false;
    upstream.on("connect", () => {
      connected = true;
      clientSocket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(clientSocket);
      clientSocket.pipe(upstream);
    });
    // Before the tunnel stands the client still expects an HTTP answer; after, only a cut.
    upstream.on("error", () => {
      if (connected) clientSocket.destroy();
      else clientSocket.end("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    clientSocket.on("error", () => upstream.destroy());
  });

  const port = await listenLoopback(server);
  return {
    port,
    url: `http://${LOOPBACK}:${port}`,
    requests,
    setUpstream: (host, upstream) => void upstreams.set(host, upstream),
    setConnectUpstream: (authority, target) => void tunnels.set(authority.toLowerCase(), target),
    close: async () => {
      for (const s of tunnelSockets) s.destroy();
      await closeServer(server);
    },
  };
}
