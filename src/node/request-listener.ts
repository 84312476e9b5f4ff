// The node:http request listener: the core's plain answers (the same ones the
// Hono app turns into Responses on Workers) written straight to node:http,
// without building a Web Request and Response — a literal rule's hit
// allocates almost nothing, and a request with no or an odd Host header still
// gets a real answer instead of a URL-parsing 400.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { answer, isReadMethod } from "../app/answer.js";
import { isStreamBody, textAnswer, type PlainAnswer, type StreamBody } from "../http/responses.js";
import type { Modgate } from "../app/modgate.js";
import type { Metrics } from "./metrics.js";
import { NodeClient, trustedProxies } from "./client-address.js";

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
  modgate: () => Modgate;
  metrics: Metrics;
  accessLog?: (entry: AccessLogEntry) => void;
  /** True once the server is stopping: answers then close their connection. */
  stopping: () => boolean;
}

export function createRequestListener(options: ListenerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { modgate, metrics, accessLog, stopping } = options;
  // Node's own service path, routed like /-/healthz (src/app/routes.ts).
  const services = { "/-/metrics": () => ({ status: 200, headers: METRICS_HEADERS, body: metrics.render() }) };
  return (req, res) => {
    const started = accessLog ? performance.now() : 0;
    const method = req.method ?? "GET";
    const target = req.url ?? "/";
    // Counted and logged as the answer is written, before a stop can exit the process.
    const log = (status: number) => {
      metrics.countRequest(status);
      accessLog?.({ method, host: req.headers.host ?? "", target, status, ms: performance.now() - started });
    };
    // Never throws: an exception here would escape node:http's listener (or
    // the promise path as an unhandled rejection) and end the process (issue 9).
    const send = (a: PlainAnswer) => {
      const status = deliver(res, a, stopping());
      try {
        log(status);
      } catch (err) {
        reportInternalError("logging", target, err);
      }
    };
    let result: PlainAnswer | Promise<PlainAnswer>;
    try {
      const current = modgate();
      // The client (credential, address) is read only by a non-public module's access decision.
      const client = new NodeClient(req, trustedProxies(current.config.server?.trustedProxies));
      result = answer(method, req.headers.host, target, current, services, client);
    } catch (err) {
      reportInternalError("answering", target, err);
      result = INTERNAL_ERROR;
    }
    if (result instanceof Promise) {
      result.then(send, (err: unknown) => {
        reportInternalError("answering", target, err);
        send(INTERNAL_ERROR);
      });
    } else {
      send(result);
    }
  };
}

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
    const body =
      a.body instanceof Uint8Array
        ? Buffer.from(a.body.buffer, a.body.byteOffset, a.body.byteLength)
        : Buffer.from(typeof a.body === "string" ? a.body : "", "utf8");
    const headers: string[] = [];
    for (const name in a.headers) headers.push(name, a.headers[name]!);
    headers.push("Content-Length", String(body.length));
    wire = { headers, body };
    wires.set(a, wire);
  }
  return wire;
}

/**
 * Writes the answer and returns the status actually sent. When writing it
 * throws (a header value node:http refuses, say), the client gets a 500
 * instead, or, when the head already went out, its connection is cut; the
 * operator gets one stderr line. Nothing is rethrown.
 */
function deliver(res: ServerResponse, a: PlainAnswer, stopping: boolean): number {
  try {
    // While stopping, a client must not keep the process alive with more requests on this connection.
    if (stopping) res.setHeader("Connection", "close");
    write(res, a);
    return a.status;
  } catch (err) {
    reportInternalError(`writing a ${a.status} answer to`, res.req?.url ?? "", err);
  }
  try {
    if (!res.headersSent) {
      write(res, INTERNAL_ERROR);
      return INTERNAL_ERROR.status;
    }
  } catch (err) {
    reportInternalError("writing a 500 answer to", res.req?.url ?? "", err);
  }
  res.destroy();
  return INTERNAL_ERROR.status;
}

/**
 * One line on stderr: what failed and for which target (JSON-quoted, so a
 * hostile target cannot forge log lines). Answers never carry credentials.
 */
function reportInternalError(doing: string, target: string, err: unknown): void {
  const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  try {
    process.stderr.write(`modgate: internal error ${doing} ${JSON.stringify(target.slice(0, 200))}: ${why.split("\n")[0]}\n`);
  } catch {
    // stderr gone: nothing left to tell.
  }
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
