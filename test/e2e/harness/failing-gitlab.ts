// GitLabs that fail the ways an operator meets: an https GitLab whose certificate
// comes from a CA Node does not trust (a throwaway self-signed one made with openssl),
// and a GitLab that accepts connections and never answers, counting the sockets
// it holds. Loopback only, ports from listen(0).
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type Socket } from "node:net";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./exec.js";
import { closeServer, listenLoopback, LOOPBACK } from "./net.js";
import { toolPath } from "./tools.js";

export interface FailingGitLab {
  url: string;
  close(): Promise<void>;
}

/** A key and a self-signed certificate for 127.0.0.1, written to `dir`. Needs openssl. */
export async function selfSignedCertificate(dir: string): Promise<{ key: Buffer; cert: Buffer; certPath: string }> {
  const keyPath = join(dir, "gitlab-key.pem");
  const certPath = join(dir, "gitlab-cert.pem");
  const args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certPath, "-days", "1"];
  args.push("-subj", `/CN=${LOOPBACK}`, "-addext", `subjectAltName=IP:${LOOPBACK}`);
  const result = await run(toolPath("openssl"), args, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  if (result.code !== 0) throw new Error(`openssl failed: ${result.stderr}`);
  return { key: await readFile(keyPath), cert: await readFile(certPath), certPath };
}

/** GitLab over https with a self-signed certificate: it would answer every project, if Node trusted it. */
export async function startSelfSignedGitLab(dir: string): Promise<FailingGitLab & { certPath: string }> {
  const { key, cert, certPath } = await selfSignedCertificate(dir);
  const server = createHttpsServer({ key, cert }, (req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const path = decodeURIComponent((req.url ?? "").replace(/^\/api\/v4\/(projects|groups)\//, "").split("?")[0]!);
    res.end(JSON.stringify({ path_with_namespace: path, full_path: path, default_branch: "main", visibility: "public" }));
  });
  const port = await listenLoopback(server);
  return { url: `https://${LOOPBACK}:${port}`, certPath, close: () => closeServer(server) };
}

export interface HangingGitLab extends FailingGitLab {
  /** Most sockets open at once so far. */
  readonly maxOpen: number;
  readonly open: number;
}

/** Accepts connections, reads requests, never answers. */
export async function startHangingGitLab(): Promise<HangingGitLab> {
  const sockets = new Set<Socket>();
  let maxOpen = 0;
  const server = createNetServer((socket) => {
    sockets.add(socket);
    maxOpen = Math.max(maxOpen, sockets.size);
    socket.on("data", () => {});
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listenLoopback(server);
  return {
    url: `http://${LOOPBACK}:${port}`,
    get maxOpen() {
      return maxOpen;
    },
    get open() {
      return sockets.size;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}
