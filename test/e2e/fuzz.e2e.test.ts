// Hostile input over the wire (issue 6): thousands of raw HTTP/1.1 requests,
// written byte by byte to node:net sockets, against `modgate serve` (the built
// CLI). Odd bytes and %-escapes in paths, %00, bare CR and LF, CR/LF header
// injection, overlong paths and headers, `..`, encoded slashes, absolute-form
// targets, missing, duplicate and hostile Host headers, invalid methods and
// versions, pipelining, truncated requests, request-smuggling framing.
//
// Every case is generated up front from one seed, so its bytes do not depend
// on timing: a failure names the seed and the case, and
//   MODGATE_FUZZ_SEED=<seed> [MODGATE_FUZZ_CASES=<n>] npx vitest run --project e2e test/e2e/fuzz.e2e.test.ts
// replays the run. Loopback only; needs `npm run build` first.
import { writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOOPBACK, makeTempDir, removeDir, startModgateNode, type RunningModgate } from "./harness/index.js";

const SEED = process.env.MODGATE_FUZZ_SEED === undefined ? 0x6d6f6467 : Number(process.env.MODGATE_FUZZ_SEED);
const CASES = process.env.MODGATE_FUZZ_CASES === undefined ? 3000 : Number(process.env.MODGATE_FUZZ_CASES);
/** Connections open at once. */
const CONCURRENCY = 32;
/**
 * How long a case may take before it counts as hung: a deadline for a connection the server
 * never closes, far past the milliseconds a case takes, so a busy machine cannot reach it.
 */
const CASE_TIMEOUT_MS = 30_000;
/** For requests the server cannot finish (truncated): how long to wait before half-closing. */
const IDLE_BEFORE_END_MS = 150;
/**
 * The test's deadline, against a hang: every case runs, however long the machine takes (a
 * budget in time made a busy machine run fewer cases and fail). A few seconds at 3000 cases.
 */
const FUZZ_TIMEOUT_MS = Math.max(180_000, CASES * 100);

const GITLAB = "https://gitlab.example.com";
const HOSTS = ["go.example.com", "go.other.org", "code.acme.io"];

const CONFIG = `gitlab:
  url: ${GITLAB}
  ssh:
    port: 2222
cacheMaxAge: 600
modules:
  - path: go.example.com/tools
    project: platform/devtools/tools
    transport: ssh
    branch: trunk
  - path: go.example.com/tools/extra
    project: platform/devtools/extra
  - path: go.example.com/libs/{name}
    project: platform/libs/{name}
  - path: go.example.com/libs/special
    project: platform/special-lib
  - path: go.example.com/sdk
    project: platform/mono
    subdir: sdk/go
  - path: go.example.com/secret
    project: platform/secret/vault
    private: true
  - path: go.example.com/quiet
    project: platform/quiet
    browser: none
  - path: go.other.org/x
    repo: https://github.com/acme/x
  - path: go.other.org/hg
    repo: https://hg.example.org/acme/hg
    vcs: hg
  - path: code.acme.io/tools
    project: acme/tools
    browser: gitlab
  - path: code.acme.io/v/{name}
    project: acme/go-{name}
`;

// ---------------------------------------------------------------------------
// A seeded generator (mulberry32): the same seed, the same cases.

class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A string of random bytes (one char per byte, as latin1). */
  bytes(n: number, from = 0, to = 255): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.int(from, to));
    return s;
  }
}

// Requests are built as byte strings: one char per byte, written as latin1.
/** The UTF-8 bytes of `s`, as a byte string. */
const u8 = (s: string) => Buffer.from(s, "utf8").toString("latin1");

const ELEMENTS = ["tools", "extra", "libs", "yaml", "special", "sdk", "secret", "quiet", "x", "hg", "v", "cmd", "pkg", "v2", "internal"];
const ODD = [
  "..",
  ".",
  "",
  "%00",
  "%2F",
  "%2f",
  "%2e%2e",
  "%2E",
  "%2e",
  "%5C",
  "%5c..%5c",
  "\\",
  "..\\..",
  "%252F",
  "%C0%AE%C0%AE",
  "%c0%af",
  "%0d%0aX-Injected:%201",
  "%0D%0ASet-Cookie:%20mg=1",
  "%0a",
  "%0d",
  "%3Cmg-tag%3E",
  "<mg-tag>",
  '"mg-q',
  "'mg-a",
  "%",
  "%zz",
  "%%",
  ";",
  ";jsessionid=1",
  "@",
  ":",
  "~1",
  "a~1",
  "CON",
  "aux.go",
  "-",
  "+",
  "*",
  "|",
  "{",
  "}",
  "^",
  "`",
  "[",
  "]",
  "!",
  "$",
  "&",
  "'",
  "\x00",
  "\x01",
  "\x08",
  "\x7f",
  "\x80",
  "\xff",
  "\t",
  " ",
  u8("é"),
  u8("😀"),
  u8("\u2028"),
  u8("\ufeff"),
  "\xc3",
  "\xed\xa0\x80",
  "#frag",
  "?",
  "?go-get=1",
  "&",
  "=",
  "%3F",
  "%23",
];
const CANARIES = ["<mg-", '"mg-', "'mg-", "X-Injected", "Set-Cookie", "mg=1"];

function hostValue(rng: Rng): string {
  const host = rng.pick(HOSTS);
  switch (rng.int(0, 9)) {
    case 0:
      return host.toUpperCase();
    case 1:
      return host + rng.pick([":443", ":80", ":", ":99999", ":abc", ":443:443", ".", ".:80"]);
    case 2:
      return rng.pick([
        "",
        " ",
        "<mg-host>",
        '"mg-q',
        "evil.example",
        "gitlab.example.com",
        "pkg.go.dev",
        "localhost",
        "127.0.0.1",
        "[::1]",
        "[::1]:80",
        `${host}@evil.example`,
        `evil.example@${host}`,
        `${host}.evil.example`,
        `${host}/tools`,
        `${host}?go-get=1`,
        `${host}#x`,
        "a".repeat(rng.int(200, 4000)),
        u8("gö.example.com"),
        "\x00",
        `${host}\x00`,
        `${host}\x7f`,
        `${host}\xff`,
        `${host} , go.other.org`,
        `${host}%0d%0aX-Injected:%201`,
        u8(`${host}\u2028`),
      ]);
    case 3:
      return rng.bytes(rng.int(1, 30), 0x20, 0x7e);
    default:
      return host;
  }
}

function oddPath(rng: Rng): string {
  const n = rng.int(0, 6);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    if (r < 0.55) parts.push(rng.pick(ELEMENTS));
    else if (r < 0.85) parts.push(rng.pick(ODD));
    else if (r < 0.95) parts.push(rng.pick(ELEMENTS) + rng.pick(ODD));
    else parts.push(rng.bytes(rng.int(1, 6), 0x21, 0xff));
  }
  const sep = () => (rng.chance(0.9) ? "/" : rng.pick(["//", "/./", "/../", "%2F", "\\"]));
  let path = "/";
  parts.forEach((p, i) => (path += (i === 0 ? "" : sep()) + p));
  if (rng.chance(0.1)) path += "/";
  return path;
}

function query(rng: Rng): string {
  return rng.pick([
    "",
    "",
    "?go-get=1",
    "?go-get=1",
    "?go-get=0",
    "?x=1&go-get=1",
    "?go-get=1#frag",
    "?%67o-get=1",
    "?go-get=1%0d%0aX-Injected:%201",
    "?go-get=1&x=<mg-q>",
    "?",
    "??",
    "?go-get=1&" + "a=1&".repeat(rng.int(1, 300)),
    "?" + rng.bytes(rng.int(1, 20), 0x21, 0x7e),
  ]);
}

interface FuzzCase {
  index: number;
  kind: string;
  bytes: Buffer;
  /** Method of each request in order, so a HEAD's answer is read without a body. */
  methods: string[];
  /** True when the server can finish the exchange on its own (a full request with Connection: close). */
  complete: boolean;
}

function request(method: string, target: string, headers: string[], version = "HTTP/1.1"): string {
  return `${method} ${target} ${version}\r\n${headers.map((h) => h + "\r\n").join("")}\r\n`;
}

/** A well-formed request for some module path, on a Host of our choosing. */
function plainRequest(rng: Rng, close: boolean): { text: string; method: string } {
  const method = rng.chance(0.85) ? "GET" : "HEAD";
  const headers = [`Host: ${rng.pick(HOSTS)}`];
  if (close) headers.push("Connection: close");
  return { text: request(method, oddPath(rng) + query(rng), headers), method };
}

type Generator = (rng: Rng) => Omit<FuzzCase, "index" | "kind" | "bytes"> & { text: string };

const GENERATORS: Record<string, { weight: number; make: Generator }> = {
  // Odd bytes, escapes, dot segments and encoded slashes in the path.
  path: {
    weight: 30,
    make: (rng) => {
      const method = rng.chance(0.9) ? "GET" : "HEAD";
      return { text: request(method, oddPath(rng) + query(rng), [`Host: ${hostValue(rng)}`, "Connection: close"]), methods: [method], complete: true };
    },
  },
  // Bare CR, bare LF and CRLF inside the request line.
  "crlf-request-line": {
    weight: 6,
    make: (rng) => {
      const inject = rng.pick(["\r", "\n", "\r\n"]) + rng.pick(["X-Injected: 1", "Set-Cookie: mg=1", ""]);
      const target = "/" + rng.pick(ELEMENTS) + inject + (rng.chance(0.5) ? "?go-get=1" : "");
      return { text: request("GET", target, ["Host: go.example.com", "Connection: close"]), methods: ["GET"], complete: true };
    },
  },
  // Bare CR, bare LF and CRLF inside header values (CRLF makes a header of the request's own).
  "crlf-header": {
    weight: 8,
    make: (rng) => {
      const inject = rng.pick(["\r", "\n", "\r\n", "\r\r\n", "\n\r"]) + rng.pick(["X-Injected: 1", "Set-Cookie: mg=1", " folded", "\tfolded"]);
      const headers = rng.chance(0.5)
        ? [`Host: ${rng.pick(HOSTS)}${inject}`, "Connection: close"]
        : [`Host: ${rng.pick(HOSTS)}`, `X-Forwarded-Host: evil.example${inject}`, "Connection: close"];
      return { text: request("GET", "/" + rng.pick(ELEMENTS) + query(rng), headers), methods: ["GET"], complete: true };
    },
  },
  // Paths just over modgate's 1024-byte limit, and ~100 KB (over Node's header limit).
  "long-path": {
    weight: 5,
    make: (rng) => {
      const size = rng.chance(0.6) ? rng.int(1000, 4000) : rng.int(90_000, 110_000);
      const target = ("/tools/" + rng.pick(["a", "a/", "../", "%2F", u8("é")]).repeat(size)).slice(0, size) + query(rng);
      return { text: request("GET", target, ["Host: go.example.com", "Connection: close"]), methods: ["GET"], complete: true };
    },
  },
  // One ~64 KB header, or thousands of small ones.
  "long-header": {
    weight: 4,
    make: (rng) => {
      const headers = ["Host: go.example.com", "Connection: close"];
      if (rng.chance(0.5)) headers.push(`X-Big: ${"b".repeat(rng.int(8_000, 66_000))}`);
      else for (let i = rng.int(100, 3000); i > 0; i--) headers.push(`X-H${i}: ${i}`);
      return { text: request("GET", "/tools?go-get=1", headers), methods: ["GET"], complete: true };
    },
  },
  // Absolute-form targets: the target's authority, not Host, names the host.
  absolute: {
    weight: 8,
    make: (rng) => {
      const scheme = rng.pick(["http://", "https://", "HTTP://", "ftp://", "//", ""]);
      const target = scheme + hostValue(rng).replace(/[\s]/g, "") + oddPath(rng) + query(rng);
      return { text: request("GET", target, [`Host: ${hostValue(rng)}`, "Connection: close"]), methods: ["GET"], complete: true };
    },
  },
  // No Host, several Hosts, hostile Hosts, Host with odd spacing or case in the name.
  host: {
    weight: 8,
    make: (rng) => {
      const headers: string[] = [];
      switch (rng.int(0, 4)) {
        case 0:
          break; // none
        case 1:
          headers.push(`Host: ${hostValue(rng)}`, `Host: ${hostValue(rng)}`);
          break;
        case 2:
          headers.push(`${rng.pick(["HOST", "host", "hOsT", "Host ", " Host", "Ho st"])}: ${rng.pick(HOSTS)}`);
          break;
        case 3:
          headers.push(`Host:${rng.pick(["", " ", "\t", "   "])}${rng.pick(HOSTS)}${rng.pick(["", " ", "\t"])}`);
          break;
        default:
          headers.push(`Host: ${hostValue(rng)}`);
      }
      headers.push("Connection: close");
      const method = rng.chance(0.8) ? "GET" : "HEAD";
      return { text: request(method, "/" + rng.pick(ELEMENTS) + query(rng), headers), methods: [method], complete: true };
    },
  },
  // Methods modgate does not serve, and ones that are not methods at all.
  method: {
    weight: 6,
    make: (rng) => {
      const method = rng.pick([
        "POST",
        "PUT",
        "DELETE",
        "PATCH",
        "OPTIONS",
        "TRACE",
        "CONNECT",
        "PROPFIND",
        "BREW",
        "FOO",
        "get",
        "Get",
        "G ET",
        "GET\x00",
        "\x00GET",
        "GETT",
        "HEAD\t",
        u8("GÉT"),
        "M-SEARCH",
        "PRI",
        "A".repeat(rng.int(20, 2000)),
      ]);
      const target = method === "CONNECT" ? "go.example.com:443" : method === "OPTIONS" && rng.chance(0.5) ? "*" : "/tools?go-get=1";
      return { text: request(method, target, ["Host: go.example.com", "Content-Length: 0", "Connection: close"]), methods: [method], complete: true };
    },
  },
  // Several requests in one write, the last asking to close.
  pipeline: {
    weight: 8,
    make: (rng) => {
      const n = rng.int(2, 10);
      const parts: string[] = [];
      const methods: string[] = [];
      for (let i = 0; i < n; i++) {
        const last = i === n - 1;
        const r = rng.chance(0.8)
          ? plainRequest(rng, last)
          : { text: request("GET", "/-/healthz", ["Host: go.example.com", ...(last ? ["Connection: close"] : [])]), method: "GET" };
        parts.push(r.text);
        methods.push(r.method);
      }
      return { text: parts.join(""), methods, complete: true };
    },
  },
  // A request cut anywhere: the server cannot answer until the client half-closes.
  truncated: {
    weight: 6,
    make: (rng) => {
      const { text, method } = plainRequest(rng, true);
      return { text: text.slice(0, rng.int(1, text.length - 1)), methods: [method], complete: false };
    },
  },
  // HTTP/0.9, 1.0, 2.0 and versions that do not exist.
  version: {
    weight: 4,
    make: (rng) => {
      const version = rng.pick(["HTTP/1.0", "HTTP/0.9", "HTTP/2.0", "HTTP/9.9", "HTTP/1.1.1", "HTTP/1", "http/1.1", "HTTPS/1.1", ""]);
      if (version === "HTTP/2.0" && rng.chance(0.5)) return { text: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", methods: ["PRI"], complete: false };
      const text = version === "" ? `GET /tools\r\n` : request("GET", "/tools?go-get=1", ["Host: go.example.com", "Connection: close"], version);
      return { text, methods: ["GET"], complete: version !== "" };
    },
  },
  // Bodies and framing on GET: Content-Length and Transfer-Encoding together, bad chunked bodies.
  framing: {
    weight: 4,
    make: (rng) => {
      const head = ["Host: go.example.com", "Connection: close"];
      const body = rng.pick([
        { headers: ["Content-Length: 5", "Transfer-Encoding: chunked"], body: "0\r\n\r\n" },
        { headers: ["Content-Length: 5", "Content-Length: 6"], body: "hello!" },
        { headers: ["Transfer-Encoding: chunked"], body: "zz\r\nhello\r\n0\r\n\r\n" },
        { headers: ["Transfer-Encoding: chunked, identity"], body: "0\r\n\r\n" },
        { headers: ["Transfer-Encoding: xchunked"], body: "0\r\n\r\n" },
        { headers: ["Content-Length: -1"], body: "" },
        { headers: ["Content-Length: 3"], body: "abc" + request("GET", "/secret?go-get=1", ["Host: go.example.com"]) },
        { headers: ["Transfer-Encoding: chunked"], body: "5\r\nhello\r\n0\r\n\r\n" },
      ]);
      return { text: request("GET", "/tools?go-get=1", [...head, ...body.headers]) + body.body, methods: ["GET", "GET"], complete: true };
    },
  },
  // Headers Node or modgate might act on: Expect, Upgrade, odd names, lines without a colon, folding, huge cookies.
  headers: {
    weight: 5,
    make: (rng) => {
      const odd = rng.pick([
        "Expect: 100-continue",
        "Expect: bogus",
        "Upgrade: websocket",
        "Upgrade: h2c",
        "X-Forwarded-Host: <mg-host>",
        "X-Forwarded-Proto: javascript",
        'Forwarded: for=1.2.3.4;host="evil.example"',
        "X-Original-URL: /secret",
        "X-Rewrite-URL: /secret",
        "Bad Header: x",
        "X\x00Y: z",
        "NoColon",
        ": empty-name",
        "X-Fold: a\r\n folded",
        `Cookie: ${"c=1; ".repeat(rng.int(10, 2000))}`,
        "Accept: */*;q=<mg-q>",
        "Content-Type: text/html",
        `X-Utf8: ${u8("ünïcödé \u2028")}`,
        "X-Ctl: a\x01b\x7fc",
        "Connection: keep-alive, close, Upgrade",
        "TE: trailers",
        "Range: bytes=0-1",
        "If-None-Match: *",
        "If-Modified-Since: <mg-date>",
      ]);
      const headers = [`Host: ${rng.pick(HOSTS)}`, odd.startsWith("Connection:") ? odd : "Connection: close"];
      if (odd.startsWith("Upgrade:")) headers[1] = "Connection: Upgrade, close";
      const method = rng.chance(0.8) ? "GET" : "HEAD";
      return {
        text: request(method, "/" + rng.pick(ELEMENTS) + query(rng), rng.chance(0.5) ? [odd, ...headers] : [...headers, odd]),
        methods: [method],
        complete: true,
      };
    },
  },
  // The service's own routes, reached directly and through dot segments and escapes.
  service: {
    weight: 4,
    make: (rng) => {
      const target = rng.pick([
        "/-/healthz",
        "/-/",
        "/-/metrics",
        "/-/../tools",
        "/%2D/healthz",
        "/-/healthz/../../etc/passwd",
        "/-/%2e%2e/tools",
        "/-//healthz",
        "/-/healthz?go-get=1",
        "/-/" + "x".repeat(3000),
      ]);
      const method = rng.pick(["GET", "HEAD", "POST", "DELETE"]);
      return { text: request(method, target, [`Host: ${hostValue(rng)}`, "Content-Length: 0", "Connection: close"]), methods: [method], complete: true };
    },
  },
  // Random bytes, sometimes after a valid start.
  garbage: {
    weight: 4,
    make: (rng) => {
      const prefix = rng.pick(["", "GET ", "GET /tools HTTP/1.1\r\n", "GET /tools HTTP/1.1\r\nHost: go.example.com\r\n"]);
      return { text: prefix + rng.bytes(rng.int(1, 400)), methods: ["GET"], complete: false };
    },
  },
};

function generateCases(seed: number, count: number): FuzzCase[] {
  const rng = new Rng(seed);
  const kinds = Object.entries(GENERATORS);
  const total = kinds.reduce((sum, [, g]) => sum + g.weight, 0);
  const cases: FuzzCase[] = [];
  for (let index = 0; index < count; index++) {
    let r = rng.next() * total;
    const [kind, generator] = kinds.find(([, g]) => (r -= g.weight) < 0) ?? kinds[0]!;
    const { text, methods, complete } = generator.make(rng);
    cases.push({ index, kind, bytes: Buffer.from(text, "latin1"), methods, complete });
  }
  return cases;
}

// ---------------------------------------------------------------------------
// Talking raw HTTP/1.1

interface Exchange {
  received: Buffer;
  /** The server closed the connection (rather than us giving up). */
  closedByServer: boolean;
  timedOut: boolean;
  socketError?: string;
}

function exchange(port: number, bytes: Buffer, complete: boolean): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(port, LOOPBACK);
    const chunks: Buffer[] = [];
    let socketError: string | undefined;
    let timedOut = false;
    let ended = false;
    let idle: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, CASE_TIMEOUT_MS);
    // An unfinished request: half-close once the server has had its say.
    const armIdle = () => {
      if (complete || ended) return;
      clearTimeout(idle);
      idle = setTimeout(() => {
        ended = true;
        socket.end();
      }, IDLE_BEFORE_END_MS);
    };
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      armIdle();
    });
    // The server may close (and reset) before it has read everything we send: that is its answer.
    socket.on("error", (err: NodeJS.ErrnoException) => (socketError = err.code ?? err.message));
    socket.on("close", () => {
      clearTimeout(giveUp);
      clearTimeout(idle);
      resolve({ received: Buffer.concat(chunks), closedByServer: !timedOut, timedOut, ...(socketError ? { socketError } : {}) });
    });
    socket.on("connect", () => {
      socket.write(bytes, () => armIdle());
    });
  });
}

interface ParsedResponse {
  status: number;
  statusLine: string;
  headerLines: string[];
  headers: Map<string, string[]>;
  body: Buffer;
}

/** Splits what the server sent into responses; `problem` says where it stopped making sense. */
function parseResponses(data: Buffer, methods: readonly string[]): { responses: ParsedResponse[]; problem?: string } {
  const responses: ParsedResponse[] = [];
  let pos = 0;
  /** Final (non-1xx) responses so far: the index of the request being answered. */
  let answered = 0;
  while (pos < data.length) {
    const headEnd = data.indexOf("\r\n\r\n", pos, "latin1");
    if (headEnd < 0) return { responses, problem: `incomplete response head at byte ${pos}` };
    const lines = data.toString("latin1", pos, headEnd).split("\r\n");
    const statusLine = lines[0]!;
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
    if (!m) return { responses, problem: `not a status line: ${JSON.stringify(statusLine.slice(0, 100))}` };
    const status = Number(m[1]);
    const headerLines = lines.slice(1);
    const headers = new Map<string, string[]>();
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      const name = (colon < 0 ? line : line.slice(0, colon)).toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), colon < 0 ? "" : line.slice(colon + 1).trim()]);
    }
    pos = headEnd + 4;
    let body: Buffer;
    const method = methods[answered] ?? "GET";
    if (status >= 200) answered++;
    const length = headers.get("content-length")?.[0];
    if (method === "HEAD" || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      body = Buffer.alloc(0);
    } else if (length !== undefined) {
      body = data.subarray(pos, pos + Number(length));
      pos += Number(length);
    } else if (headers.get("transfer-encoding")?.[0]?.toLowerCase() === "chunked") {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = data.indexOf("\r\n", pos, "latin1");
        if (lineEnd < 0) return { responses, problem: "incomplete chunked body" };
        const size = parseInt(data.toString("latin1", pos, lineEnd), 16);
        pos = lineEnd + 2;
        if (size === 0) {
          pos += 2;
          break;
        }
        parts.push(data.subarray(pos, pos + size));
        pos += size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      body = data.subarray(pos);
      pos = data.length;
    }
    responses.push({ status, statusLine, headerLines, headers, body });
  }
  return { responses };
}

/** Statuses Node's HTTP server answers with on its own, for requests it rejects (417: an Expect it does not know). */
const NODE_REJECTS = new Set([400, 408, 413, 417, 431]);
/** Statuses modgate answers with. */
const MODGATE_ANSWERS = new Set([200, 302, 404, 405, 414]);
const IMPORT_PATH_CHARS = /^[A-Za-z0-9._~+\-/]*$/;

/** Everything wrong with one response, as sentences. */
function problemsOf(response: ParsedResponse): string[] {
  const problems: string[] = [];
  const { status } = response;
  if (status >= 500) problems.push(`status ${status}`);
  if (status !== 100 && !NODE_REJECTS.has(status) && !MODGATE_ANSWERS.has(status)) problems.push(`unexpected status ${status}`);
  for (const line of response.headerLines) {
    if (!/^[\x20-\x7e\t]*$/.test(line)) problems.push(`header line with control or non-ASCII bytes: ${JSON.stringify(line.slice(0, 120))}`);
  }
  for (const name of ["x-injected", "set-cookie"]) if (response.headers.has(name)) problems.push(`answer carries a ${name} header`);
  for (const [name, values] of response.headers) {
    for (const value of values) for (const c of CANARIES) if (value.includes(c)) problems.push(`header ${name} echoes ${JSON.stringify(c)}`);
  }
  const location = response.headers.get("location");
  if (location) {
    if (location.length !== 1) problems.push(`${location.length} Location headers`);
    const value = location[0]!;
    const base = [...HOSTS.map((h) => `https://pkg.go.dev/${h}/`), `${GITLAB}/`].find((b) => value.startsWith(b));
    if (base === undefined) problems.push(`Location not built from config: ${JSON.stringify(value.slice(0, 200))}`);
    else if (!IMPORT_PATH_CHARS.test(value.slice(base.length)))
      problems.push(`Location with characters no import path has: ${JSON.stringify(value.slice(0, 200))}`);
  }
  if (MODGATE_ANSWERS.has(status) && response.headers.get("x-content-type-options")?.[0] !== "nosniff") problems.push("no X-Content-Type-Options: nosniff");
  const body = response.body.toString("latin1");
  for (const c of CANARIES) if (body.includes(c)) problems.push(`body echoes ${JSON.stringify(c)}`);
  if (/internal error|\n\s+at /.test(body)) problems.push(`body shows an internal error: ${JSON.stringify(body.slice(0, 200))}`);
  return problems;
}

/** One request with Connection: close; the whole answer, with the Date header (which changes) removed. */
async function answerBytes(port: number, host: string, target: string): Promise<string> {
  const ex = await exchange(port, Buffer.from(request("GET", target, [`Host: ${host}`, "Connection: close"]), "latin1"), true);
  return ex.received.toString("latin1").replace(/\r\nDate: [^\r]*/i, "");
}

const REFERENCE_REQUESTS: Array<[host: string, target: string]> = [
  ["go.example.com", "/tools/cmd/lint?go-get=1"],
  ["go.example.com", "/libs/yaml/v2?go-get=1"],
  ["go.example.com", "/sdk?go-get=1"],
  ["go.other.org", "/x?go-get=1"],
  ["code.acme.io", "/v/foo?go-get=1"],
  ["go.example.com", "/tools/cmd"],
  ["code.acme.io", "/tools/pkg"],
  ["go.example.com", "/"],
];

// ---------------------------------------------------------------------------

describe("raw HTTP/1.1 fuzz against modgate serve", () => {
  let dir: string;
  let modgate: RunningModgate;
  let port: number;
  let stdout = "";
  let stderr = "";

  beforeAll(async () => {
    dir = await makeTempDir("fuzz");
    const configPath = join(dir, "modgate.yaml");
    await writeFile(configPath, CONFIG);
    modgate = await startModgateNode(configPath);
    port = Number(new URL(modgate.url).port);
    modgate.child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    modgate.child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  });

  afterAll(async () => {
    await modgate?.close();
    if (dir) await removeDir(dir);
  });

  it(`survives ${CASES} hostile requests (seed ${SEED}) and answers exactly as before`, { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const before = await Promise.all(REFERENCE_REQUESTS.map(([host, target]) => answerBytes(port, host, target)));
    expect(before[0]).toMatch(
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*<meta name="go-import" content="go\.example\.com\/tools git ssh:\/\/git@gitlab\.example\.com:2222\/platform\/devtools\/tools\.git">/,
    );
    expect(before[5]).toMatch(/^HTTP\/1\.1 302 Found\r\n[\s\S]*Location: https:\/\/pkg\.go\.dev\/go\.example\.com\/tools\/cmd\r\n/);

    const cases = generateCases(SEED, CASES);
    const failures: string[] = [];
    const statuses = new Map<string, number>();
    const byKind = new Map<string, number>();
    let responses = 0;
    let silent = 0;
    let resets = 0;
    const started = performance.now();
    const describeCase = (c: FuzzCase) =>
      `seed ${SEED} case ${c.index} (${c.kind}, ${c.bytes.length} bytes): ${JSON.stringify(c.bytes.toString("latin1").slice(0, 300))}`;

    // A crash ends the run at once, naming the cases that were in flight.
    const inFlight = new Set<FuzzCase>();
    let crash: string | undefined;
    const onExit = (code: number | null, signal: string | null) => {
      crash = `modgate exited (code ${code}, signal ${signal}) with these cases in flight:\n${[...inFlight].map((c) => "    " + describeCase(c)).join("\n")}`;
    };
    modgate.child.once("exit", onExit);

    let next = 0;
    const worker = async () => {
      while (crash === undefined && next < cases.length) {
        const c = cases[next++]!;
        byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
        inFlight.add(c);
        const ex = await exchange(port, c.bytes, c.complete);
        inFlight.delete(c);
        if (ex.socketError) resets++;
        if (ex.socketError === "ECONNREFUSED" && crash === undefined) failures.push(`${describeCase(c)}\n    connection refused: modgate is not listening`);
        if (ex.timedOut) failures.push(`${describeCase(c)}\n    the connection was still open after ${CASE_TIMEOUT_MS} ms`);
        const parsed = parseResponses(ex.received, c.methods);
        if (parsed.problem && !ex.socketError) failures.push(`${describeCase(c)}\n    unreadable answer: ${parsed.problem}`);
        if (parsed.responses.length === 0) silent++;
        for (const r of parsed.responses) {
          responses++;
          statuses.set(String(r.status), (statuses.get(String(r.status)) ?? 0) + 1);
          for (const p of problemsOf(r)) failures.push(`${describeCase(c)}\n    ${r.statusLine}: ${p}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = performance.now() - started;
    modgate.child.off("exit", onExit);

    const summary = {
      seed: SEED,
      cases: next,
      ms: Math.round(elapsed),
      responses,
      connectionsWithoutAnswer: silent,
      socketErrors: resets,
      statuses: Object.fromEntries([...statuses].sort()),
      kinds: Object.fromEntries([...byKind].sort()),
    };
    console.log("fuzz summary:", JSON.stringify(summary));
    expect(crash, `${crash}\n  stderr:\n${stderr.slice(-3000)}`).toBeUndefined();
    expect(failures.slice(0, 20), `${failures.length} problems; ${JSON.stringify(summary)}`).toEqual([]);
    // The run reached both modgate and Node's own parser errors.
    expect(statuses.get("200") ?? 0).toBeGreaterThan(CASES / 20);
    expect(statuses.get("404") ?? 0).toBeGreaterThan(CASES / 10);
    expect(statuses.get("400") ?? 0).toBeGreaterThan(CASES / 20);
    for (const status of ["302", "405", "414", "431"]) expect(statuses.get(status) ?? 0, `status ${status} ${JSON.stringify(summary)}`).toBeGreaterThan(0);

    // Afterwards: the process is alive, healthy, and answers byte for byte as before.
    expect(modgate.child.exitCode).toBeNull();
    expect(modgate.child.signalCode).toBeNull();
    const after = await Promise.all(REFERENCE_REQUESTS.map(([host, target]) => answerBytes(port, host, target)));
    expect(after).toEqual(before);
    expect(await answerBytes(port, "go.example.com", "/-/healthz")).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok\n$/);

    // No internal error or stack trace reached the logs; every access-log line is one JSON object.
    const output = modgate.output();
    expect(output).not.toMatch(/internal error/i);
    expect(stderr).not.toMatch(/\n\s+at |Error/);
    const logLines = stdout.split("\n").filter((line) => line !== "");
    expect(logLines.length).toBeGreaterThan(CASES / 2);
    for (const line of logLines) {
      const entry = JSON.parse(line) as { status: number };
      expect(entry.status, line).toBeLessThan(500);
    }
  });

  // Found by this fuzz run, when /-/ went through @hono/node-server, which builds a URL from
  // Host and answered 400 when there was none or it did not parse ("go.example.com:" with an
  // empty port, which RFC 9110 allows). Load balancer health checks such as HAProxy's classic
  // `option httpchk GET /-/healthz` send HTTP/1.0 without Host, and would mark modgate down.
  it("answers /-/healthz to health checks that send no Host or an odd one", async () => {
    const ask = async (text: string) => (await exchange(port, Buffer.from(text, "latin1"), true)).received.toString("latin1");
    expect(await ask("GET /-/healthz HTTP/1.0\r\n\r\n")).toMatch(/^HTTP\/1\.1 200 /);
    expect(await ask("GET /-/healthz HTTP/1.1\r\nHost: go.example.com:\r\nConnection: close\r\n\r\n")).toMatch(/^HTTP\/1\.1 200 /);
    expect(await ask("GET /-/healthz HTTP/1.1\r\nHost: 10.0.0.7:8080\r\nConnection: close\r\n\r\n")).toMatch(/^HTTP\/1\.1 200 /);
  });

  it("stops cleanly after the fuzz (SIGTERM, exit code 0)", async () => {
    expect(await modgate.close()).toBe(0);
    expect(stderr).not.toMatch(/internal error|\n\s+at /i);
  });
});
