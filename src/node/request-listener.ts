// The node:http request listener: the core's plain answers (the same ones the
// Hono app turns into Responses on Workers) written straight to node:http,
// without building a Web Request and Response — a literal rule's hit
// allocates almost nothing, and a request with no or an odd Host header still
// gets a real answer instead of a URL-parsing 400.
import type { IncomingMessage, ServerResponse } from "node:http";
import { answer, isReadMethod } from "../core/answer.js";
import { textAnswer, type PlainAnswer } from "../core/responses.js";
import type { Router } from "../core/router.js";
import type { Metrics } from "./metrics.js";

const INTERNAL_ERROR = textAnswer(500, "internal error");
const METRICS_HEADERS = { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" };

export interface AccessLogEntry {
  method: string;
  host: string;
  target: string;
  status: number;
  ms: number;
}

export function createRequestListener(
  router: () => Router,
  metrics: Metrics,
  accessLog?: (entry: AccessLogEntry) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
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
      write(res, a);
    };
    if (target.startsWith("/-/metrics") && (target.length === 10 || target[10] === "?") && isReadMethod(method)) {
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

/** Encoded bodies of answers; shared answers (literal rules, fixed errors) are encoded once. */
const encoded = new WeakMap<PlainAnswer, Buffer>();

function write(res: ServerResponse, a: PlainAnswer): void {
  let body = encoded.get(a);
  if (!body) {
    body = Buffer.from(a.body ?? "", "utf8");
    encoded.set(a, body);
  }
  res.setHeader("Content-Length", body.length);
  res.writeHead(a.status, a.headers);
  res.end(body);
}
