// The real go command against the Worker running in workerd (`npm run dev:worker`).
import { describeGoGet } from "./go-get-suite.js";
import { startModgateWorker } from "./harness/modgate.js";

describeGoGet("go get against modgate on Workers (workerd)", (configPath) => startModgateWorker(configPath));
