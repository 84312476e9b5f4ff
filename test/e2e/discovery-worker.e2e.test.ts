// GitLab discovery end to end against the Worker in workerd (`npm run dev:worker`), the token a
// Worker secret, as `wrangler secret put GITLAB_TOKEN` makes it in a deployment.
import { describeDiscovery } from "./discovery-suite.js";
import { startModgateWorker } from "./harness/modgate.js";

describeDiscovery("GitLab discovery: go get against modgate on Workers (workerd)", (configPath, token) =>
  startModgateWorker(configPath, {}, { GITLAB_TOKEN: token }),
);
