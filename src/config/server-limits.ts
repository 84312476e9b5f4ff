// The server: section (Node only): timeouts and a connection cap for
// node:http, whose own defaults let a slow client hold a socket for a
// minute or more (headersTimeout 60 s, requestTimeout 300 s) and accept
// connections without bound, on a service that binds all interfaces by
// default (issue 9).
import type { CompiledServerLimits } from "../core/compiled.js";
import type { Problem } from "./problems.js";
import type { ServerSchema } from "./schema.js";
import type { z } from "zod";

export const DEFAULT_SERVER_LIMITS: Readonly<CompiledServerLimits> = Object.freeze({
  // The go command and browsers send their headers at once; 10 s is ample on a slow link.
  headersTimeoutMs: 10_000,
  // Requests are GETs without a body: the whole request is its headers.
  requestTimeoutMs: 30_000,
  // node:http's own default; behind a load balancer, set it above the balancer's idle timeout.
  keepAliveTimeoutMs: 5_000,
  // Far above what a go-get service needs, far below the file descriptors a process gets.
  maxConnections: 1024,
});

/** The server: section with defaults filled in; problems for fields that contradict each other. */
export function compileServerLimits(input: z.infer<typeof ServerSchema> | undefined, problems: Problem[]): CompiledServerLimits {
  const ms = (seconds: number | undefined, fallback: number) => (seconds === undefined ? fallback : Math.round(seconds * 1000));
  const limits: CompiledServerLimits = {
    headersTimeoutMs: ms(input?.headersTimeout, DEFAULT_SERVER_LIMITS.headersTimeoutMs),
    requestTimeoutMs: ms(input?.requestTimeout, DEFAULT_SERVER_LIMITS.requestTimeoutMs),
    keepAliveTimeoutMs: ms(input?.keepAliveTimeout, DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs),
    maxConnections: input?.maxConnections ?? DEFAULT_SERVER_LIMITS.maxConnections,
    ...(input?.trustedProxies?.length ? { trustedProxies: input.trustedProxies } : {}),
  };
  // node:http refuses a headers timeout longer than the request timeout (ERR_OUT_OF_RANGE):
  // the headers are part of the request.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    const field = input?.headersTimeout !== undefined ? "headersTimeout" : "requestTimeout";
    problems.push({
      path: ["server", field],
      message: `server.headersTimeout (${limits.headersTimeoutMs / 1000} s) is longer than server.requestTimeout (${limits.requestTimeoutMs / 1000} s): the headers are part of the request; make requestTimeout at least headersTimeout`,
    });
  }
  return limits;
}
