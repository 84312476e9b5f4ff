// The HTTP contract as a Hono app, on Web-standard Request/Response only, so
// the same app runs on Node and on Cloudflare Workers.
import { Hono } from "hono";
import type { Router } from "./router.js";
import { answer, isReadMethod, METHOD_NOT_ALLOWED, splitTarget } from "./answer.js";
import { textAnswer, toResponse } from "./responses.js";

export interface AppOptions {
  /** The current router; a function so a reload can swap it between requests. */
  router: () => Router;
}

const HEALTHY = textAnswer(200, "ok");
const RESERVED = textAnswer(404, "not found: /-/ is reserved for the service");

export function createApp(options: AppOptions): Hono {
  const app = new Hono();

  // Everything under /-/ belongs to the service, never to a module.
  app.all("/-/healthz", (c) => toResponse(isReadMethod(c.req.method) ? HEALTHY : METHOD_NOT_ALLOWED));
  app.all("/-/*", (c) => toResponse(isReadMethod(c.req.method) ? RESERVED : METHOD_NOT_ALLOWED));

  app.all("*", async (c) => {
    const { authority } = splitTarget(c.req.url);
    return toResponse(await answer(c.req.method, authority, c.req.url, options.router()));
  });

  app.notFound(() => toResponse(textAnswer(404, "not found")));
  // Internal details never reach a client; the runtime logs the error.
  app.onError((err) => {
    console.error("modgate: internal error:", err);
    return toResponse(textAnswer(500, "internal error"));
  });
  return app;
}
