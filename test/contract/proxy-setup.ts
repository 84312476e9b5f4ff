// Runs on Node before the workerd tests: the GitLab stand-in with the proxy's
// repositories (workerd cannot start servers or run git). Its URL and tokens
// reach the tests through `provide`/`inject`.
import type { TestProject } from "vitest/node";
import { startWorkerProxyLab } from "../e2e/harness/worker-proxy-lab.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const lab = await startWorkerProxyLab("glpat-workerd-proxy-contract");
  project.provide("proxyLab", { url: lab.url, token: lab.token, guestToken: lab.guestToken, config: lab.config("${GITLAB_TOKEN}") });
  return () => lab.close();
}
