import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isolatedGitEnv } from "./git-env.js";
import { closeServer, listenLoopback, LOOPBACK } from "./net.js";
import { toolPath } from "./tools.js";

export interface GitHttpOptions {
  /** Directory holding the bare repositories (GIT_PROJECT_ROOT). */
  root: string;
  /** URL path prefix in front of the project path, e.g. `/git` → `http://host/git/group/p.git`. */
  prefix?: string;
}

export interface GitHttpRequest {
  method: string;
  /** Request path and query as received, prefix included. */
  url: string;
}

export interface GitHttpServer {
  port: number;
  /** `http://127.0.0.1:PORT` plus the prefix. */
  baseUrl: string;
  /** Clone URL of a project: `${baseUrl}/${projectPath}.git`. */
  repoUrl(projectPath: string): string;
  requests: GitHttpRequest[];
  close(): Promise<void>;
}

function normalizePrefix(prefix = ""): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "" : `/${trimmed}`;
}

/**
 * CGI meta-variables for git http-backend. Every request header is passed as HTTP_*, which is
 * how http-backend learns about `Git-Protocol: version=2` and `Content-Encoding: gzip` (it
 * inflates gzip request bodies itself when HTTP_CONTENT_ENCODING says so).
 */
function cgiEnv(req: IncomingMessage, root: string, pathInfo: string, query: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = isolatedGitEnv({
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    REMOTE_ADDR: req.socket.remoteAddress ?? LOOPBACK,
    REMOTE_USER: "",
  });
  const contentType = req.headers["content-type"];
  if (contentType !== undefined) env.CONTENT_TYPE = contentType;
  // Without CONTENT_LENGTH (chunked upload) http-backend reads the body until EOF.
  const contentLength = req.headers["content-length"];
  if (contentLength !== undefined) env.CONTENT_LENGTH = contentLength;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    env[`HTTP_${name.toUpperCase().replace(/-/g, "_")}`] = Array.isArray(value) ? value.join(", ") : value;
  }
  return env;
}

/** Splits CGI output into its header block and the start of the body; undefined until complete. */
function splitCgiHead(buf: Buffer): { head: string; body: Buffer } | undefined {
  for (const sep of ["\r\n\r\n", "\n\n"]) {
    const at = buf.indexOf(sep);
    if (at >= 0) return { head: buf.subarray(0, at).toString("latin1"), body: buf.subarray(at + sep.length) };
  }
  return undefined;
}

function writeCgiHead(res: ServerResponse, head: string): void {
  let status = 200;
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else res.appendHeader(name, value);
  }
  res.writeHead(status);
}

function serveCgi(req: IncomingMessage, res: ServerResponse, env: NodeJS.ProcessEnv): void {
  const child = spawn(toolPath("git-http-backend"), [], { env, stdio: ["pipe", "pipe", "pipe"] });
  let pending: Buffer = Buffer.alloc(0);
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  // Buffer only until the CGI header block is complete, then stream the body with backpressure.
  const onHeadData = (chunk: Buffer): void => {
    pending = Buffer.concat([pending, chunk]);
    const split = splitCgiHead(pending);
    if (split === undefined) return;
    child.stdout.off("data", onHeadData);
    writeCgiHead(res, split.head);
    res.write(split.body);
    child.stdout.pipe(res);
  };
  child.stdout.on("data", onHeadData);
  child.on("close", (code) => {
    if (res.headersSent) return;
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(`git http-backend exited ${code} without headers\n${stderr}`);
  });
  child.on("error", (err) => {
    if (!res.headersSent) res.writeHead(500);
    res.end(String(err));
  });
  // A client that gives up must not leave http-backend blocked on its stdin.
  child.stdin.on("error", () => {});
  req.pipe(child.stdin);
}

/**
 * Answers one git smart-HTTP request with git http-backend as CGI, for servers that route
 * requests themselves (the GitLab stand-in). `pathInfo` is the decoded repository path below
 * `root` plus the service suffix, e.g. `/group/p.git/info/refs`; `query` is the raw query string.
 */
export function serveGitHttpBackend(req: IncomingMessage, res: ServerResponse, root: string, pathInfo: string, query: string): void {
  serveCgi(req, res, cgiEnv(req, root, pathInfo, query));
}

/** A git smart-HTTP server (git http-backend as CGI) serving every bare repository under `root`. */
export async function startGitHttpServer(opts: GitHttpOptions): Promise<GitHttpServer> {
  const prefix = normalizePrefix(opts.prefix);
  const requests: GitHttpRequest[] = [];
  const server = createServer((req, res) => {
    const rawUrl = req.url ?? "/";
    requests.push({ method: req.method ?? "GET", url: rawUrl });
    const queryAt = rawUrl.indexOf("?");
    const query = queryAt < 0 ? "" : rawUrl.slice(queryAt + 1);
    let path: string;
    try {
      path = decodeURIComponent(queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (!path.startsWith(`${prefix}/`) || path.split("/").includes("..")) {
      res.writeHead(404).end();
      return;
    }
    serveGitHttpBackend(req, res, opts.root, path.slice(prefix.length), query);
  });
  const port = await listenLoopback(server);
  const baseUrl = `http://${LOOPBACK}:${port}${prefix}`;
  return {
    port,
    baseUrl,
    repoUrl: (projectPath) => `${baseUrl}/${projectPath}.git`,
    requests,
    close: () => closeServer(server),
  };
}
