// The HTTP contract (cases.ts) on Node, through the node:http listener
// production Node serves with (the Worker runs the same table in workerd).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { createApp } from "../../src/app/hono-app.js";
import { Router } from "../../src/core/router.js";
import { CONTRACT_CONFIG, CONTRACT_CONFIG_FILE, cases, checkResponse, toRequest } from "./cases.js";
import { startNodeListener, type NodeListener } from "./node-listener.js";
import { modgateOf } from "../support/modgate-of.js";

const router = new Router(compileConfig(CONTRACT_CONFIG, CONTRACT_CONFIG_FILE));
let listener: NodeListener;
beforeAll(async () => {
  listener = await startNodeListener(() => modgateOf(router));
});
afterAll(() => listener.close());

describe("HTTP contract (Node, the node:http listener)", () => {
  it("has uniquely named cases", () => {
    const names = cases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(cases)("$name", async (c) => {
    await checkResponse(c, await listener.fetch(toRequest(c)));
  });

  it("swaps routers between requests (reload)", async () => {
    let current = modgateOf(router);
    const reloading = createApp({ modgate: () => current });
    const url = "http://go.example.com/fresh?go-get=1";
    expect((await reloading.request(url)).status).toBe(404);
    current = modgateOf(new Router(compileConfig("modules:\n  - path: go.example.com/fresh\n    repo: https://git.example.com/fresh\n", "reloaded.yaml")));
    const response = await reloading.request(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('content="go.example.com/fresh git https://git.example.com/fresh"');
  });
});
