// The node:http request listener: the core's plain answers (the same ones the
// Hono app turns into Responses on Workers) written straight to node:http,
// without building a Web Request and Response — a literal rule's hit
// allocates almost nothing, and a request with no or an odd Host header still
// gets a real answer instead of a URL-parsing 400.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { answer, isReadMethod } from "../core/answer.js";
import { isStreamBody, textAnswer, type PlainAnswer, type StreamBody } from "../core/responses.js";
import type { Router } from "../core/router.js";
import type { Metrics } from "./metrics.js";

const INTERNAL_ERROR = textAnswer(500, "internal error");
const METRICS_HEADERS = {
  "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
  "Cache-Control": "no-cache",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

export interface AccessLogEntry {
  method: string;
  host: string;
  target: string;
  status: number;
  ms: number;
}

export interface ListenerOptions {
  router: () => Router;
  metrics: Metrics;
  accessLog?: (entry: AccessLogEntry) => void;
  /** True once the server is stopping: answers then close their connection. */
  stopping: () => boolean;
}

export function createRequestListener(options: ListenerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { router, metrics, accessLog, stopping } = options;
  return (req, res) => {
    const started = accessLog ? performance.now() : 0;
    const method = req.method ?? "GET";
    const target = req.url ?? "/";
    // Counted and logged as the answer is written, before a stop can exit the process.
    const log = (status: number) => {
      metrics.countRequest(status);
      accessLog?.({ method, host: req.headers.host ?? "", target, status, ms: performance.now() - started });
    };
    const send = (a: PlainAnswer) => {
      log(a.status);
      // While stopping, a client must not keep the process alive with more requests on this connection.
      if (stopping()) res.setHeader("Connection", "close");
      write(res, a);
    };
    if (isMetricsTarget(target) && isReadMethod(method)) {
      send({ status: 200, headers: METRICS_HEADERS, body: metrics.render() });
      return;
    }
    let result: PlainAnswer | Promise<PlainAnswer>;
    try {
      result = answer(method, req.headers.host, target, router());
    } catch (err) {
      console.error("modgate: internal error:", err);
      result = INTERNAL_ERROR;
    }
    if (result instanceof Promise) {
      result.then(send, (err: unknown) => {
        console.error("modgate: internal error:", err);
        send(INTERNAL_ERROR);
      });
    } else {
      send(result);
    }
  };
}

/** "/-/metrics", with or without a query: served here, by the Node runtime, not by the core. */
function isMetricsTarget(target: string): boolean {
  return target.startsWith(METRICS_PATH) && (target.length === METRICS_PATH.length || target[METRICS_PATH.length] === "?");
}

const METRICS_PATH = "/-/metrics";

/** An answer as node:http wants it: a flat header list with Content-Length, and bytes. */
interface Wire {
  headers: string[];
  body: Buffer;
}

/** Shared answers (literal rules, memoised targets, fixed errors) are encoded once. */
const wires = new WeakMap<PlainAnswer, Wire>();

function wireOf(a: PlainAnswer): Wire {
  let wire = wires.get(a);
  if (!wire) {
    const body = a.body instanceof Uint8Array ? Buffer.from(a.body.buffer, a.body.byteOffset, a.body.byteLength) : Buffer.from(typeof a.body === "string" ? a.body : "", "utf8");
    const headers: string[] = [];
    for (const name in a.headers) headers.push(name, a.headers[name]!);
    headers.push("Content-Length", String(body.length));
    wire = { headers, body };
    wires.set(a, wire);
  }
  return wire;
}

function write(res: ServerResponse, a: PlainAnswer): void {
  if (isStreamBody(a.body)) return writeStream(res, a, a.body);
  const wire = wireOf(a);
  // A flat list skips node:http's per-header bookkeeping.
  res.writeHead(a.status, wire.headers);
  res.end(wire.body);
}

/**
 * A large body (a module zip) streamed from the store with backpressure; never
 * opened for HEAD. A failure half-way destroys the connection: the client sees
 * a truncated answer, never a short zip with a 200 that looks whole.
 */
function writeStream(res: ServerResponse, a: PlainAnswer, body: StreamBody): void {
  const headers: string[] = [];
  for (const name in a.headers) headers.push(name, a.headers[name]!);
  headers.push("Content-Length", String(body.size));
  res.writeHead(a.status, headers);
  if (res.req.method === "HEAD") {
    res.end();
    return;
  }
  const stream = Readable.fromWeb(body.open() as import("node:stream/web").ReadableStream<Uint8Array>);
  stream.on("error", (err) => {
    console.error("modgate: streaming an answer failed:", err);
    res.destroy(err);
  });
  stream.pipe(res);
}
