// The HTTP contract as a Hono app, on Web-standard Request/Response only: the
// Worker serves it, and the contract tests run it. Node writes the same plain
// answers straight to node:http (src/node/request-listener.ts).
// hono/tiny: Hono with its PatternRouter instead of the default SmartRouter
// (RegExpRouter + TrieRouter, ~8 KB minified). The app has one catch-all
// route, so the faster routers buy nothing, and the Worker bundle has a
// 64 KiB gzipped budget (issue 12).
import { Hono } from "hono/tiny";
import type { Context } from "hono";
import type { Modgate } from "./modgate.js";
import { answer, splitTarget } from "./answer.js";
import { textAnswer, toResponse } from "../http/responses.js";

export interface AppOptions {
  /** What is served now; a function so a reload can swap it between requests. */
  modgate: () => Modgate;
}

export function createApp(options: AppOptions): Hono {
  const app = new Hono();

  // One handler, on the raw URL: Hono's router matches the decoded path, and
  // some decoded paths match no route at all — those get the same handler.
  const handle = async (c: Context) => {
    const url = c.req.url;
    // The client's address is the platform's CF-Connecting-IP: Cloudflare sets it, a client cannot.
    const client = { authorization: c.req.header("authorization"), address: () => c.req.header("cf-connecting-ip") ?? "" };
    return toResponse(await answer(c.req.method, splitTarget(url).authority, url, options.modgate(), undefined, client), c.req.method);
  };
  app.all("*", handle);
  app.notFound(handle);

  // Internal details never reach a client; the runtime logs the error.
  app.onError((err) => {
    console.error("modgate: internal error:", err);
    return toResponse(textAnswer(500, "internal error"));
  });
  return app;
}
