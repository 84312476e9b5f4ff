// GitLab discovery end to end against `modgate serve` (the built CLI), the token in its environment.
import { describeDiscovery } from "./discovery-suite.js";
import { startModgateNode } from "./harness/modgate.js";

describeDiscovery("GitLab discovery: go get against modgate on Node", (configPath, token) => startModgateNode(configPath, { GITLAB_TOKEN: token }));
