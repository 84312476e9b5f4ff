// GitLab discovery at the HTTP level (discovery-cases.ts) inside workerd:
// the config compiled as the Worker build compiles it (the token stays a
// ${GITLAB_TOKEN} reference), the token read from the env as from a Worker
// secret, look-ups cached in the Workers Cache API. The stand-in runs on Node
// (discovery-setup.ts).
import { describe, expect, inject, it } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { assemble } from "../../src/app/assemble.js";
import { WorkersLookupCache } from "../../src/discovery/workers-lookup-cache.js";
import { ask, contractDiscoveryConfig, controlOverHttp, describeDiscoveryAnswers } from "./discovery-cases.js";
import { unseen } from "./discovery-fixtures.js";
import type { Modgate } from "../../src/app/modgate.js";

const standIn = inject("discoveryStandIn");

function workerRouter(env: Record<string, string>) {
  const config = compileConfig(contractDiscoveryConfig(standIn.url), "discovery.yaml", { keepTokenReference: true });
  return assemble(config, {
    cache: () => new WorkersLookupCache((caches as unknown as { default: Cache }).default),
    env,
  });
}

describeDiscoveryAnswers("GitLab discovery over HTTP (Workers, workerd, Cache API)", {
  control: () => controlOverHttp(standIn),
  router: (_configText, token) => workerRouter({ GITLAB_TOKEN: token }),
});

describe("GitLab discovery in workerd: the token secret", () => {
  it("runs inside workerd", () => {
    expect(navigator.userAgent).toBe("Cloudflare-Workers");
  });

  it("keeps the token a reference in the compiled config", () => {
    const config = compileConfig(contractDiscoveryConfig(standIn.url), "discovery.yaml", { keepTokenReference: true });
    expect(config.gitlab?.token).toBe("${GITLAB_TOKEN}");
  });

  it("answers 503 when GITLAB_TOKEN is not set, the secret's name kept for the Worker's log", async () => {
    const control = controlOverHttp(standIn);
    const before = (await control.apiCalls()).length;
    const result = await ask(workerRouter({}), `/oss/${unseen("no-secret")}`);
    expect(result.status).toBe(503);
    // Clients learn that modgate is misconfigured, not how; the log line names the secret to set.
    expect(result.body).toBe("service unavailable: modgate is not fully configured (its log says why); try again later\n");
    // Nothing was sent to GitLab without the token.
    expect((await control.apiCalls()).slice(before)).toEqual([]);
  });
});
