import { createServer, type Server as NetServer } from "node:net";
import type { Server as HttpServer } from "node:http";

export const LOOPBACK = "127.0.0.1";

/** Starts a server on an ephemeral loopback port and resolves with that port. */
export function listenLoopback(server: NetServer | HttpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      server.off("error", reject);
      const addr = server.address();
      if (addr === null || typeof addr === "string") {
        reject(new Error("server has no TCP address"));
        return;
      }
      resolve(addr.port);
    });
  });
}

/** Closes a server without waiting for idle keep-alive connections to time out. */
export function closeServer(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    if ("closeAllConnections" in server) server.closeAllConnections();
  });
}

/**
 * A loopback port that was free a moment ago, for programs that must be told their port
 * (sshd) rather than report one. Callers retry on a bind race.
 */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  const port = await listenLoopback(probe);
  await closeServer(probe);
  return port;
}
