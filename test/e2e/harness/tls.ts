// https in front of modgate for the go command. Why: the go command sends .netrc/GOAUTH
// credentials over https only (cmd/go/internal/web/http.go calls auth.AddCredentials only for
// https URLs), and a netrc `machine` matches a URL without a port, so a private-module test needs
// `https://go.example.com` — port 443, no DNS. The pieces:
//
//   go ──HTTPS_PROXY──▶ forward-proxy ──CONNECT go.example.com:443──▶ TLS terminator ──http──▶ modgate
//        SSL_CERT_FILE=<throwaway CA>                                (cert for go.example.com)
//
// - createTestCertificates: a throwaway CA and a server certificate for the names, made with openssl.
// - startTlsTerminator: node:https on loopback, forwards plain HTTP (Host kept) to an upstream.
// - startHttpsFront: both plus a forward proxy tunnelling `<name>:443` to the terminator.
// - goTlsEnv / writeNetrc / pathWithoutGit: the go command's environment pieces.
import { chmod, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { join } from "node:path";
import { run, runOk } from "./exec.js";
import { startForwardProxy, type ForwardProxy } from "./forward-proxy.js";
import { closeServer, listenLoopback, LOOPBACK } from "./net.js";
import { makeTempDir, removeDir } from "./tmp.js";
import { findOnPath, toolPath } from "./tools.js";

export interface TestCertificates {
  dir: string;
  /** The CA certificate (PEM file): the go command's SSL_CERT_FILE. */
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: string;
  cert: string;
  key: string;
  /** DNS names in the server certificate (127.0.0.1 is always an IP SAN too). */
  names: string[];
  close(): Promise<void>;
}

/** Hosts the servers under test listen on: never sent through the forward proxy. */
const NO_PROXY = "127.0.0.1,localhost";

/**
 * A throwaway CA (P-256, valid 2 days, CA:TRUE) and a server certificate for `names` signed by
 * it, with serverAuth and SANs, which Go's verifier requires (it ignores the CN).
 */
export async function createTestCertificates(names: string[] = ["go.example.com"]): Promise<TestCertificates> {
  if (names.length === 0) throw new Error("createTestCertificates: at least one DNS name");
  const dir = await makeTempDir("tls");
  const openssl = toolPath("openssl");
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", OPENSSL_CONF: "/dev/null" };
  const file = (name: string): string => join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    await runOk(
      openssl,
      [
        "req",
        "-x509",
        ...ec,
        "-keyout",
        file("ca.key"),
        "-out",
        file("ca.pem"),
        "-days",
        "2",
        "-subj",
        "/CN=modgate e2e throwaway CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      ],
      { env },
    );
    await runOk(openssl, ["req", ...ec, "-keyout", file("server.key"), "-out", file("server.csr"), "-subj", `/CN=${names[0]}`], { env });
    const sans = [...names.map((n) => `DNS:${n}`), `IP:${LOOPBACK}`].join(",");
    await writeFile(
      file("server.ext"),
      [`subjectAltName=${sans}`, "basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature", "extendedKeyUsage=serverAuth", ""].join("\n"),
    );
    await runOk(
      openssl,
      [
        "x509",
        "-req",
        "-in",
        file("server.csr"),
        "-CA",
        file("ca.pem"),
        "-CAkey",
        file("ca.key"),
        "-CAcreateserial",
        "-out",
        file("server.pem"),
        "-days",
        "2",
        "-extfile",
        file("server.ext"),
      ],
      { env },
    );
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
  const [ca, cert, key] = await Promise.all(["ca.pem", "server.pem", "server.key"].map((n) => readFile(file(n), "utf8")));
  return {
    dir,
    caFile: file("ca.pem"),
    certFile: file("server.pem"),
    keyFile: file("server.key"),
    ca: ca!,
    cert: cert!,
    key: key!,
    names,
    close: () => removeDir(dir),
  };
}

export interface TerminatedRequest {
  method: string;
  /** The Host header as received. */
  host: string;
  /** Origin-form path and query. */
  path: string;
  /** The Authorization scheme and, for Basic, the login — never the password or token. */
  authorization?: { scheme: string; login?: string };
  /** Status the upstream answered; 0 until it did, 502 when it could not be reached. */
  status: number;
}

export interface TlsTerminator {
  port: number;
  /** `127.0.0.1:PORT`: what the forward proxy tunnels CONNECT to. */
  address: string;
  requests: TerminatedRequest[];
  /** Points the terminator at another upstream (e.g. once modgate knows its port). */
  setUpstream(upstream: string): void;
  close(): Promise<void>;
}

export interface TlsTerminatorOptions {
  certs: TestCertificates;
  /** Plain-HTTP origin to forward to, e.g. modgate's `http://127.0.0.1:PORT`. */
  upstream?: string;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1): not forwarded. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/** What may be recorded about an Authorization header: its scheme, and a Basic login. */
export function describeAuthorization(value: string | undefined): TerminatedRequest["authorization"] {
  if (value === undefined) return undefined;
  const [scheme = "", rest = ""] = value.split(/\s+/, 2);
  if (scheme.toLowerCase() !== "basic") return { scheme };
  const decoded = Buffer.from(rest, "base64").toString("utf8");
  return { scheme, login: decoded.slice(0, Math.max(0, decoded.indexOf(":"))) };
}

/**
 * A TLS terminator: https on a loopback port with the test certificate, every request forwarded
 * as plain HTTP to the upstream with Host and Authorization unchanged, plus
 * `X-Forwarded-Proto: https` (what a real load balancer in front of modgate adds).
 */
export async function startTlsTerminator(opts: TlsTerminatorOptions): Promise<TlsTerminator> {
  let upstream = opts.upstream;
  const requests: TerminatedRequest[] = [];
  const server = createHttpsServer({ cert: opts.certs.cert, key: opts.certs.key }, (req, res) => {
    const auth = describeAuthorization(req.headers.authorization);
    const record: TerminatedRequest = {
      method: req.method ?? "GET",
      host: req.headers.host ?? "",
      path: req.url ?? "/",
      ...(auth ? { authorization: auth } : {}),
      status: 0,
    };
    requests.push(record);
    const fail = (why: string): void => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`TLS terminator: ${why}\n`);
    };
    if (upstream === undefined) return fail("no upstream set");
    const target = new URL(upstream);
    const outgoing = httpRequest(
      {
        hostname: target.hostname,
        port: target.port || 80,
        method: req.method,
        path: req.url,
        headers: { ...endToEnd(req.headers), "x-forwarded-proto": "https" },
      },
      (upstreamRes) => {
        record.status = upstreamRes.statusCode ?? 502;
        res.writeHead(upstreamRes.statusCode ?? 502, endToEnd(upstreamRes.headers));
        upstreamRes.pipe(res);
      },
    );
    outgoing.on("error", (err) => fail(`upstream ${upstream} failed: ${err.message}`));
    req.pipe(outgoing);
  });
  const port = await listenLoopback(server);
  return {
    port,
    address: `${LOOPBACK}:${port}`,
    requests,
    setUpstream: (next) => void (upstream = next),
    close: () => closeServer(server),
  };
}

export interface HttpsFront {
  certs: TestCertificates;
  terminator: TlsTerminator;
  /** Tunnels CONNECT `<name>:443` to the terminator; plain-http requests go to `httpUpstreams`. */
  forwardProxy: ForwardProxy;
  /** HTTPS_PROXY, HTTP_PROXY, NO_PROXY (both spellings) and SSL_CERT_FILE for the go command. */
  goEnv(): Record<string, string>;
  close(): Promise<void>;
}

export interface HttpsFrontOptions {
  /** Host names served over https (port 443); default `go.example.com`. */
  names?: string[];
  /** Where the terminator forwards, e.g. modgate's URL; settable later with terminator.setUpstream. */
  upstream?: string;
  /** Plain-http routes of the forward proxy (ProxyOptions.upstreams), e.g. `go.example.com` → modgate. */
  httpUpstreams?: Record<string, string>;
}

/** Certificates, terminator and a CONNECT-capable forward proxy: `https://<name>` reaches `upstream`. */
export async function startHttpsFront(opts: HttpsFrontOptions = {}): Promise<HttpsFront> {
  const certs = await createTestCertificates(opts.names ?? ["go.example.com"]);
  const terminator = await startTlsTerminator({ certs, ...(opts.upstream ? { upstream: opts.upstream } : {}) });
  const forwardProxy = await startForwardProxy({
    upstreams: opts.httpUpstreams ?? {},
    connectUpstreams: Object.fromEntries(certs.names.map((n) => [`${n}:443`, terminator.address])),
  });
  return {
    certs,
    terminator,
    forwardProxy,
    goEnv: () => goTlsEnv(forwardProxy.url, certs.caFile),
    async close() {
      await forwardProxy.close();
      await terminator.close();
      await certs.close();
    },
  };
}

/**
 * The go command's proxy and trust settings: both proxies through the forward proxy, loopback
 * direct, and only the throwaway CA trusted (on Linux Go reads SSL_CERT_FILE instead of the
 * system roots).
 */
export function goTlsEnv(proxyUrl: string, caFile: string): Record<string, string> {
  return {
    HTTPS_PROXY: proxyUrl,
    HTTP_PROXY: proxyUrl,
    NO_PROXY,
    no_proxy: NO_PROXY,
    SSL_CERT_FILE: caFile,
  };
}

export interface NetrcEntry {
  /** Host without a port (the go command matches `https://<machine>/...`). */
  machine: string;
  login: string;
  password: string;
}

/** Writes `<home>/.netrc` (mode 600, as the go command and curl expect) and returns its path. */
export async function writeNetrc(home: string, entries: NetrcEntry | NetrcEntry[]): Promise<string> {
  const list = Array.isArray(entries) ? entries : [entries];
  for (const e of list) {
    if (/\s/.test(`${e.machine}${e.login}${e.password}`) || e.machine.includes(":")) {
      throw new Error(`writeNetrc: machine must be a bare host and no field may hold whitespace (${e.machine})`);
    }
  }
  const file = join(home, ".netrc");
  await writeFile(file, list.map((e) => `machine ${e.machine} login ${e.login} password ${e.password}\n`).join(""), { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

export interface GitlessPath {
  /** The bin directory: a `go` symlink (cmd/go resolves symlinks to find GOROOT) and the `tools` asked for. */
  dir: string;
  /** The value for PATH. */
  PATH: string;
  close(): Promise<void>;
}

export interface GitlessPathOptions {
  /** The bin directory to create (close() removes it); default a fresh temp dir. */
  dir?: string;
  /**
   * Other programs to link next to go, by name as found on PATH (for a person's shell under this
   * PATH, e.g. mktemp); those not installed are left out. The go command itself needs none of them.
   */
  tools?: readonly string[];
}

/**
 * A PATH holding the go binary (and the `tools` asked for), proven to have no git: `command -v git`
 * must fail under it (a `golang:alpine`-like client; the module proxy must be enough).
 */
export async function pathWithoutGit(options: GitlessPathOptions = {}): Promise<GitlessPath> {
  const root = options.dir ?? (await makeTempDir("nogit"));
  const dir = options.dir ?? join(root, "bin");
  await mkdir(dir, { recursive: true });
  await symlink(toolPath("go"), join(dir, "go"));
  for (const name of options.tools ?? []) {
    if (name === "go" || name.includes("/")) throw new Error(`pathWithoutGit: ${JSON.stringify(name)} is not another program's name`);
    const found = findOnPath(name);
    if (found !== undefined) await symlink(found, join(dir, name));
  }
  const probe = await run("/bin/sh", ["-c", "command -v git"], { env: { PATH: dir } });
  if (probe.code === 0) {
    await removeDir(root);
    throw new Error(`pathWithoutGit: git is still found (${probe.stdout.trim()})`);
  }
  return { dir, PATH: dir, close: () => removeDir(root) };
}
