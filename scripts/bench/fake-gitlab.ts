// A stand-in for GitLab's REST API on loopback: GET /api/v4/projects/:id
// answers 200 for any path inside the group and 404 for anything else. The
// benchmark warms modgate's cache through it before measuring, and counts the
// calls so it can show that none were made while measuring.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeGitlab {
  url: string;
  /** API calls answered so far. */
  calls(): number;
  close(): Promise<void>;
}

const PREFIX = "/api/v4/projects/";

export async function startFakeGitlab(group: string): Promise<FakeGitlab> {
  let calls = 0;
  const server = createServer((req, res) => {
    calls++;
    const url = req.url ?? "";
    const id = url.startsWith(PREFIX) ? decodeURIComponent(url.slice(PREFIX.length).split("?")[0]!) : "";
    if (req.method === "GET" && id.startsWith(group + "/")) {
      const body = JSON.stringify({ path_with_namespace: id, default_branch: "main", visibility: "public" });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"message":"404 Project Not Found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => calls,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
