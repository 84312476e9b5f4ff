// The real go command against `modgate serve` (the built CLI) over real git.
import { describeGoGet } from "./go-get-suite.js";
import { startModgateNode } from "./harness/modgate.js";

describeGoGet("go get against modgate on Node", (configPath) => startModgateNode(configPath));
