// A small GOPROXY server over a directory laid out like the go command's module download cache
// (`$GOMODCACHE/cache/download`): `<escaped module>/@v/list`, `<escaped module>/@v/<escaped
// version>.info|.mod|.zip`. It stands for "the next proxy" in a client's `GOPROXY=a,b` list, so
// the proxy-chain tests can see which module paths fell through to it: every request is recorded.
//
// Like a static file proxy (and GOPROXY=file://), it answers 404 for anything it has no file for,
// `@latest` included (the endpoint is optional; the go command then uses @v/list), and
// `/sumdb/<name>/supported` with 404 so the go command goes on to the checksum database itself.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, join, normalize, sep } from "node:path";
import { closeServer, listenLoopback, LOOPBACK } from "./net.js";

export interface FileProxyRequest {
  method: string;
  /** Request path as received, e.g. `/example.org/other/@v/list`. */
  path: string;
  status: number;
}

export interface FileProxy {
  /** `http://127.0.0.1:PORT`: a GOPROXY entry. */
  url: string;
  /** The directory served. */
  dir: string;
  /** Every request, in arrival order. */
  requests: FileProxyRequest[];
  /** Requests whose path starts with `/<escaped module>/`. */
  requestsFor(escapedModulePath: string): FileProxyRequest[];
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  info: "application/json",
  mod: "text/plain; charset=utf-8",
  zip: "application/zip",
};

/** Serves `dir` as a GOPROXY (a module cache download directory, or one written by writeProxyModule). */
export async function startFileProxy(dir: string): Promise<FileProxy> {
  const requests: FileProxyRequest[] = [];
  const root = normalize(dir + sep);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const record: FileProxyRequest = { method: req.method ?? "GET", path, status: 0 };
    requests.push(record);
    const send = (status: number, type: string, body: Buffer | string): void => {
      record.status = status;
      res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    const file = normalize(join(root, decodeURIComponent(path)));
    // Files of the cache only: no listing, nothing outside the directory.
    const ext = /\.(info|mod|zip)$/.exec(file)?.[1] ?? (file.endsWith(`${sep}@v${sep}list`) ? "list" : undefined);
    if (!file.startsWith(root) || ext === undefined) {
      send(404, "text/plain; charset=utf-8", `not found: ${path}\n`);
      return;
    }
    readFile(file).then(
      (body) => send(200, CONTENT_TYPES[ext] ?? "text/plain; charset=utf-8", body),
      () => send(404, "text/plain; charset=utf-8", `not found: ${path}\n`),
    );
  });
  const port = await listenLoopback(server);
  return {
    url: `http://${LOOPBACK}:${port}`,
    dir,
    requests,
    requestsFor: (escaped) => requests.filter((r) => r.path.startsWith(`/${escaped}/`)),
    close: () => closeServer(server),
  };
}

export interface ProxyModuleVersion {
  version: string;
  /** Commit time written into `.info`. */
  time: string;
  /** go.mod content. */
  goMod: string;
  /** The module zip's bytes (every entry under `<module>@<version>/`). */
  zip: Uint8Array;
}

/**
 * Writes one module version the way the go command's download cache holds it, and appends the
 * version to `@v/list`. Module paths here must be lower case (no `!`-escaping is done).
 */
export async function writeProxyModule(dir: string, modulePath: string, v: ProxyModuleVersion): Promise<void> {
  if (/[A-Z]/.test(modulePath + v.version)) throw new Error("writeProxyModule: lower-case module paths and versions only");
  const at = join(dir, modulePath, "@v");
  await mkdir(at, { recursive: true });
  await writeFile(join(at, `${v.version}.info`), JSON.stringify({ Version: v.version, Time: v.time }));
  await writeFile(join(at, `${v.version}.mod`), v.goMod);
  await writeFile(join(at, `${v.version}.zip`), v.zip);
  const list = join(at, "list");
  const known = await readFile(list, "utf8").catch(() => "");
  await mkdir(dirname(list), { recursive: true });
  await writeFile(list, known + v.version + "\n");
}
