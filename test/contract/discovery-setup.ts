// Runs on Node before the workerd tests: the GitLab stand-in the discovery
// cases ask (workerd cannot start servers), and a control server through
// which those cases switch its mode and read its API calls. Both URLs reach
// the tests through `provide`/`inject`.
import { createServer, type IncomingMessage } from "node:http";
import type { TestProject } from "vitest/node";
import { startGitLabStandIn, type GitLabStandInMode } from "../e2e/harness/gitlab-stand-in.js";
import { closeServer, listenLoopback, LOOPBACK } from "../e2e/harness/net.js";
import { makeTempDir, removeDir } from "../e2e/harness/tmp.js";
import type { ApiCall } from "./discovery-cases.js";
import { randomToken, STAND_IN_PROJECTS } from "./discovery-fixtures.js";

const MODES: readonly GitLabStandInMode[] = ["ok", "down", "refuse", "slow"];

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) body += String(chunk);
  return body;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The cases use the API only: the repositories' root stays empty.
  const root = await makeTempDir("discovery-workers");
  const token = randomToken();
  const lab = await startGitLabStandIn({ root, token, projects: STAND_IN_PROJECTS });

  const control = createServer((req, res) => {
    void (async () => {
      if (req.method === "POST" && req.url === "/mode") {
        const { mode, delayMs } = JSON.parse(await readBody(req)) as { mode: GitLabStandInMode; delayMs?: number };
        if (!MODES.includes(mode)) return void res.writeHead(400).end(`unknown mode ${String(mode)}\n`);
        lab.setMode(mode, delayMs);
        return void res.writeHead(204).end();
      }
      if (req.method === "GET" && req.url === "/calls") {
        const calls: ApiCall[] = lab.apiCalls.map(({ id, kind, auth, status }) => ({ id, kind, auth, status }));
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(calls));
      }
      res.writeHead(404).end();
    })();
  });
  const controlPort = await listenLoopback(control);

  project.provide("discoveryStandIn", { url: lab.url, token, control: `http://${LOOPBACK}:${controlPort}` });
  return async () => {
    await closeServer(control);
    await lab.close();
    await removeDir(root);
  };
}
