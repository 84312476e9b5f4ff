// Node's timeouts and connection cap (issue 9) on the built `modgate serve`:
// a client that stalls in its headers is cut off after server.headersTimeout,
// connections beyond server.maxConnections are closed while the others are
// served, a SIGHUP applies a new cap, and `modgate check` locates bad values.
import { writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest, makeTempDir, removeDir, run, startModgateNode, REPO_ROOT, type RunningModgate } from "./harness/index.js";

const HOST = "go.example.com";

/** A config with these `server:` lines; none: no `server:` section, modgate's defaults. */
function configWith(...server: string[]): string {
  const section = server.length === 0 ? [] : ["server:", ...server.map((l) => `  ${l}`)];
  return [...section, "modules:", `  - path: ${HOST}/x`, "    repo: https://github.com/acme/x", ""].join("\n");
}

/** A raw HTTP/1.1 connection: what was received, and whether the server has closed it. */
class RawConnection {
  received = "";
  closed = false;
  readonly whenClosed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (this.received += chunk));
    // A connection the server drops may be reset rather than ended: either way it is closed.
    socket.on("error", () => {});
    this.whenClosed = new Promise((resolve) => socket.once("close", () => resolve()));
    void this.whenClosed.then(() => (this.closed = true));
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** Sends a keep-alive GET; resolves with the status line, or undefined when the server closed the connection instead. */
  async get(path: string): Promise<string | undefined> {
    const before = this.received.length;
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    const complete = () => {
      const text = this.received.slice(before);
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return false;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      return text.length >= end + 4 + length;
    };
    await new Promise<void>((resolve) => {
      const check = () => {
        if (complete() || this.closed) {
          this.socket.off("data", check);
          resolve();
        }
      };
      this.socket.on("data", check);
      void this.whenClosed.then(check);
      check();
    });
    return complete() ? this.received.slice(before).split("\r\n")[0] : undefined;
  }

  close(): void {
    this.socket.destroy();
  }
}

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir("server-limits");
});
afterAll(async () => {
  if (dir) await removeDir(dir);
});

async function serve(name: string, text: string): Promise<{ modgate: RunningModgate; configPath: string }> {
  const configPath = join(dir, name);
  await writeFile(configPath, text);
  return { modgate: await startModgateNode(configPath, { MODGATE_LOG: "off" }), configPath };
}

describe("server.headersTimeout", () => {
  it("cuts off a client that stalls in its headers, and serves the others meanwhile", async () => {
    // The same staller against modgate's defaults (headersTimeout 10 s; node:http's own is 60 s),
    // started first: an order, not a duration, shows the configured 1 s applies (a busy machine
    // slows both servers alike).
    const stall = `GET /x/pkg?go-get=1 HTTP/1.1\r\nHost: ${HOST}\r\nUser-Agent: slo`;
    const connections: RawConnection[] = [];
    const { modgate: defaults } = await serve("defaults.yaml", configWith());
    let modgate: RunningModgate | undefined;
    try {
      const control = await RawConnection.open(defaults.url);
      connections.push(control);
      control.socket.write(stall);
      ({ modgate } = await serve("slow.yaml", configWith("headersTimeout: 1", "requestTimeout: 2")));
      const slow = await RawConnection.open(modgate.url);
      connections.push(slow);
      slow.socket.write(stall);
      expect((await httpRequest(modgate.url, { path: "/x/pkg?go-get=1", host: HOST })).status).toBe(200);
      await slow.whenClosed;
      expect(slow.received).toMatch(/^HTTP\/1\.1 408 /);
      // Stalled as long, and since before: still waiting under the default.
      expect(control.closed).toBe(false);
      expect(control.received).toBe("");
      expect((await httpRequest(modgate.url, { path: "/-/healthz", host: HOST })).status).toBe(200);
    } finally {
      for (const c of connections) c.close();
      await Promise.all([modgate?.close(), defaults.close()]);
    }
  });
});

describe("server.maxConnections", () => {
  it("closes connections beyond the cap while the first ones are served; SIGHUP raises it", async () => {
    const { modgate, configPath } = await serve("cap.yaml", configWith("maxConnections: 2", "keepAliveTimeout: 60"));
    const open: RawConnection[] = [];
    const connection = async () => {
      const c = await RawConnection.open(modgate.url);
      open.push(c);
      return c;
    };
    try {
      const [a, b] = [await connection(), await connection()];
      expect(await a.get("/x?go-get=1")).toBe("HTTP/1.1 200 OK");
      expect(await b.get("/x?go-get=1")).toBe("HTTP/1.1 200 OK");

      const third = await connection();
      expect(await third.get("/x?go-get=1")).toBeUndefined();
      expect(third.received).toBe("");

      // The first two are still served on their connections.
      expect(await a.get("/x/pkg?go-get=1")).toBe("HTTP/1.1 200 OK");
      expect(await b.get("/-/healthz")).toBe("HTTP/1.1 200 OK");
      await expect.poll(() => modgate.output()).toMatch(/connection cap reached \(server\.maxConnections: 2\): closed 1 new connection;/);

      // A reload applies a new cap to new connections.
      await writeFile(configPath, configWith("maxConnections: 3", "keepAliveTimeout: 60"));
      modgate.child.kill("SIGHUP");
      await expect.poll(() => modgate.output()).toMatch(/modgate: reloaded /);
      const fourth = await connection();
      expect(await fourth.get("/x?go-get=1")).toBe("HTTP/1.1 200 OK");
      expect(modgate.output().match(/connection cap reached/g)).toHaveLength(1);
    } finally {
      for (const c of open) c.close();
      await modgate.close();
    }
  });
});

describe("bad server: values", () => {
  it("modgate check and serve name each at file:line:col", async () => {
    const configPath = join(dir, "bad.yaml");
    await writeFile(configPath, configWith("headersTimeout: 60", "requestTimeout: 30", "maxConection: 5"));
    const check = await run(process.execPath, ["dist/node/cli.js", "check", configPath], { cwd: REPO_ROOT, env: { PATH: process.env.PATH } });
    expect(check.code).toBe(1);
    expect(check.stderr.trim().split("\n")).toEqual([
      `${configPath}:2:19: server.headersTimeout (60 s) is longer than server.requestTimeout (30 s): the headers are part of the request; make requestTimeout at least headersTimeout`,
      `${configPath}:4:3: unknown key "maxConection" in server: did you mean maxConnections?`,
    ]);
    await expect(startModgateNode(configPath)).rejects.toThrow(/bad\.yaml:2:19: server\.headersTimeout \(60 s\)/);
  });
});
