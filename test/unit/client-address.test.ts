// Which address a request comes from (finding 7): the socket's peer, and
// X-Forwarded-For only when that peer is a proxy the config trusts
// (server.trustedProxies) — then its right-most hop that is not a trusted
// proxy. A client that is not behind a trusted proxy cannot name itself.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress, NodeClient, TrustedProxies, trustedProxies } from "../../src/node/client-address.js";
import { compileConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/config/problems.js";
import { closeServer, listenLoopback, LOOPBACK } from "../e2e/harness/net.js";
import { createApp } from "../../src/app/hono-app.js";
import { Router } from "../../src/core/router.js";
import { textAnswer } from "../../src/http/responses.js";
import type { Client } from "../../src/http/client.js";
import type { Modgate } from "../../src/app/modgate.js";
import type { ProxyService } from "../../src/proxy/service.js";
import { handBuilt } from "./configs.js";

const TRUSTED = new TrustedProxies(["127.0.0.1", "10.0.0.0/8", "fd00::/8", "::1"]);

describe("TrustedProxies", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.0.0.2", false],
    ["10.200.3.4", true],
    ["11.0.0.1", false],
    ["::ffff:10.1.2.3", true],
    ["fd12:3456::1", true],
    ["FD12::1", true],
    ["fe80::1", false],
    ["::1", true],
    ["not-an-address", false],
    ["", false],
  ])("%s → %s", (address, trusted) => {
    expect(TRUSTED.has(address)).toBe(trusted);
  });

  it("trusts nothing when the list is empty", () => {
    expect(new TrustedProxies([]).has("127.0.0.1")).toBe(false);
  });

  it("refuses an entry that is no address", () => {
    expect(() => new TrustedProxies(["10.0.0.0/8", "proxy.local"])).toThrow(/proxy\.local.*not an IP address or CIDR range/);
  });

  it("is made once per config list", () => {
    const list = ["10.0.0.0/8"];
    expect(trustedProxies(list)).toBe(trustedProxies(list));
    expect(trustedProxies(undefined).has("127.0.0.1")).toBe(false);
  });
});

describe("clientAddress", () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", new TrustedProxies([]))).toBe("203.0.113.9");
  });

  it("ignores a spoofed X-Forwarded-For from a peer that is not a trusted proxy", () => {
    expect(clientAddress("203.0.113.9", "10.0.0.1, 198.51.100.1", TRUSTED)).toBe("203.0.113.9");
  });

  it("behind a trusted proxy, is the address the proxy appended", () => {
    expect(clientAddress("127.0.0.1", "198.51.100.7", TRUSTED)).toBe("198.51.100.7");
  });

  it("takes the right-most hop that is not a trusted proxy: what the client wrote to the left is ignored", () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the trusted proxy appended the peer it saw.
    expect(clientAddress("127.0.0.1", "1.2.3.4, 198.51.100.7", TRUSTED)).toBe("198.51.100.7");
  });

  it("walks past a chain of trusted proxies (CIDR ranges, IPv4 and IPv6)", () => {
    expect(clientAddress("10.0.0.2", "1.2.3.4, 2001:db8::5, fd00::7, 10.9.9.9", TRUSTED)).toBe("2001:db8::5");
  });

  it("is the left-most hop when every hop is a trusted proxy", () => {
    expect(clientAddress("127.0.0.1", "10.1.1.1, 10.2.2.2", TRUSTED)).toBe("10.1.1.1");
  });

  it("stops at the last trusted hop when an entry is not an address (never a string a client could vary)", () => {
    expect(clientAddress("127.0.0.1", "1.2.3.4, garbage-9f3a, 10.2.2.2", TRUSTED)).toBe("10.2.2.2");
    expect(clientAddress("127.0.0.1", "unknown", TRUSTED)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "", TRUSTED)).toBe("127.0.0.1");
  });

  it("reads the forms proxies write: ports, brackets, IPv4-mapped IPv6, upper case", () => {
    expect(clientAddress("127.0.0.1", "198.51.100.7:51234", TRUSTED)).toBe("198.51.100.7");
    expect(clientAddress("127.0.0.1", "[2001:DB8::9]:443", TRUSTED)).toBe("2001:db8::9");
    expect(clientAddress("::ffff:127.0.0.1", "::ffff:198.51.100.7", TRUSTED)).toBe("198.51.100.7");
  });

  it("is the peer behind a trusted proxy that sent no X-Forwarded-For, IPv4-mapped spelled as IPv4", () => {
    expect(clientAddress("::ffff:127.0.0.1", undefined, TRUSTED)).toBe("127.0.0.1");
    expect(clientAddress(undefined, undefined, TRUSTED)).toBe("");
  });
});

describe("NodeClient on a real socket", () => {
  let server: Server;
  let url: string;
  let trusted = new TrustedProxies([]);
  let seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const client = new NodeClient(req, trusted);
      seen.push(client.address());
      res.end(client.authorization ?? "-");
    });
    url = `http://${LOOPBACK}:${await listenLoopback(server)}`;
  });
  afterAll(async () => {
    await closeServer(server);
  });

  it("untrusted loopback peer: X-Forwarded-For is not read", async () => {
    trusted = new TrustedProxies([]);
    seen = [];
    await (await fetch(url, { headers: { "x-forwarded-for": "198.51.100.7" } })).text();
    expect(seen).toEqual(["127.0.0.1"]);
  });

  it("trusted loopback peer: the right-most untrusted hop", async () => {
    trusted = new TrustedProxies(["127.0.0.0/8"]);
    seen = [];
    const r = await fetch(url, { headers: { "x-forwarded-for": "1.2.3.4, 198.51.100.7", authorization: "Basic eDp5" } });
    expect(await r.text()).toBe("Basic eDp5");
    expect(seen).toEqual(["198.51.100.7"]);
  });
});

describe("server.trustedProxies in the config", () => {
  const config = (list: string) => `server:\n  trustedProxies: ${list}\nmodules:\n  - path: go.example.com/x\n    repo: https://github.com/acme/x\n`;

  it("takes addresses and CIDR ranges, IPv4 and IPv6", () => {
    expect(compileConfig(config('["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"]'), "c.yaml").server?.trustedProxies).toEqual([
      "127.0.0.1",
      "10.0.0.0/8",
      "::1",
      "fd00::/8",
    ]);
  });

  it("is absent by default (X-Forwarded-For never read)", () => {
    expect(compileConfig(config("[]"), "c.yaml").server?.trustedProxies).toBeUndefined();
  });

  it("locates an entry that is no address", () => {
    try {
      compileConfig(config('["10.0.0.0/8", "proxy.local", "10.0.0.0/40"]'), "c.yaml");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const lines = (err as ConfigError).problems.map((p) => `${p.line}: ${p.message}`);
      expect(lines).toEqual([
        "2: server.trustedProxies[1]: must be an IP address or a CIDR range, like 127.0.0.1, 10.0.0.0/8 or fd00::/8",
        "2: server.trustedProxies[2]: must be an IP address or a CIDR range, like 127.0.0.1, 10.0.0.0/8 or fd00::/8",
      ]);
    }
  });
});

describe("the Worker's client (Hono app)", () => {
  /** A modgate whose proxy records the client it is handed. */
  function recording(seen: Array<{ authorization: string | undefined; address: string }>): Modgate {
    const router = new Router(handBuilt([]));
    const proxy = {
      handle: (_request: unknown, client?: Client) => {
        seen.push({ authorization: client?.authorization, address: client?.address() ?? "(none)" });
        return textAnswer(200, "ok");
      },
    } as unknown as ProxyService;
    return { config: router.config, router, proxy };
  }

  it("is Cloudflare's CF-Connecting-IP; X-Forwarded-For is never read", async () => {
    const seen: Array<{ authorization: string | undefined; address: string }> = [];
    const app = createApp({ modgate: () => recording(seen) });
    await app.request("https://go.example.com/go.example.com/x/@v/list", {
      headers: { "cf-connecting-ip": "2001:db8::7", "x-forwarded-for": "10.0.0.1", authorization: "Basic eDp5" },
    });
    await app.request("https://go.example.com/go.example.com/x/@v/list", { headers: { "x-forwarded-for": "10.0.0.1" } });
    expect(seen).toEqual([
      { authorization: "Basic eDp5", address: "2001:db8::7" },
      { authorization: undefined, address: "" },
    ]);
  });
});
