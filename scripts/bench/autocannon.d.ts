// The part of autocannon's programmatic API the benchmark uses (it ships no types).
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  namespace autocannon {
    interface Request {
      path?: string;
      method?: string;
      headers?: Record<string, string>;
    }
    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Stop after this many requests instead of after `duration`. */
      amount?: number;
      pipelining?: number;
      /** Seconds a request may take. */
      timeout?: number;
      headers?: Record<string, string>;
      requests?: Request[];
    }
    interface Result {
      errors: number;
      timeouts: number;
      non2xx: number;
      resets: number;
      duration: number;
      statusCodeStats: Record<string, { count: number }>;
      requests: { total: number; average: number };
      latency: { p50: number; p99: number };
    }
    interface Instance extends EventEmitter, PromiseLike<Result> {}
  }
  function autocannon(opts: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
