import { createServer, request as httpRequestRaw } from "node:http";
import { createRepoRoot, makeRepo, addCommit, type RepoRoot } from "./git-repos.js";
import { startGitLabStandIn, type GitLabStandIn } from "./gitlab-stand-in.js";
import { closeServer, listenLoopback, LOOPBACK } from "./net.js";

/**
 * A GitLab stand-in with a public and a private module, for the proxy on the
 * Worker (contract tables in workerd, Node/Worker parity, the go command
 * against `npm run dev:worker`). In front of it sits a small relay that plays
 * one more GitLab user: `guestToken` is accepted by GitLab but belongs to a
 * Guest of the private project, so GitLab's git endpoint answers 403 for it,
 * as GitLab does for a member without download_code. Everything else passes
 * through unchanged.
 */
export interface WorkerProxyLab {
  /** GitLab's URL as modgate sees it (the relay). */
  url: string;
  token: string;
  guestToken: string;
  repos: RepoRoot;
  standIn: GitLabStandIn;
  /** The config modgate runs with; `token` is written as given (a value or a ${NAME} reference). */
  config(token: string, extra?: string): string;
  close(): Promise<void>;
}

export const LAB_HOST = "go.example.com";

const mod = (path: string) => `module ${path}\n\ngo 1.21\n`;

export async function startWorkerProxyLab(token = "glpat-worker-proxy-lab"): Promise<WorkerProxyLab> {
  const guestToken = `${token}-guest`;
  const repos = await createRepoRoot();
  const pub = await makeRepo(repos.dir, "platform/pub", {
    files: { "go.mod": mod(`${LAB_HOST}/pub`), "pub.go": "package pub\n\nconst A = 1\n", LICENSE: "MIT\n" },
    tags: ["v1.0.0"],
  });
  await addCommit(pub, { files: { "b.go": "package pub\n\nconst B = 2\n", "sub/c.go": "package sub\n" }, tags: ["v1.1.0"] });
  await addCommit(pub, { files: { "c.go": "package pub\n\nconst C = 3\n" } });
  await makeRepo(repos.dir, "platform/priv", {
    files: { "go.mod": mod(`${LAB_HOST}/priv`), "priv.go": 'package priv\n\nconst Secret = "s"\n' },
    tags: ["v0.1.0"],
  });
  const standIn = await startGitLabStandIn({
    root: repos.dir,
    token,
    projects: [
      { path: "platform/pub", visibility: "public" },
      { path: "platform/priv", visibility: "private" },
    ],
  });
  const upstream = new URL(standIn.url);
  const guestBasic = (header: string | undefined) => {
    if (!header?.startsWith("Basic ")) return false;
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    return decoded.slice(decoded.indexOf(":") + 1) === guestToken;
  };
  const relay = createServer((req, res) => {
    // GitLab for a Guest: the project is visible, its code is not (no download_code): 403.
    if (req.url?.includes(".git/") && guestBasic(req.headers.authorization)) {
      res.writeHead(403, { "content-type": "text/plain" }).end("You are not allowed to download code from this project.\n");
      return;
    }
    const out = httpRequestRaw(
      // GitLab names its URLs after the Host it is asked under: the stand-in's own, whoever asks.
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  const port = await listenLoopback(relay);
  const url = `http://${LOOPBACK}:${port}`;
  return {
    url,
    token,
    guestToken,
    repos,
    standIn,
    config: (t, extra = "") =>
      `gitlab:\n  url: ${url}\n  token: ${t}\n  transport: https\nproxy:\n  enabled: true\n${extra}modules:\n` +
      `  - path: ${LAB_HOST}/pub\n    project: platform/pub\n` +
      `  - path: ${LAB_HOST}/priv\n    project: platform/priv\n` +
      `  - path: ${LAB_HOST}/gone\n    project: platform/gone\n`,
    async close() {
      await closeServer(relay);
      await standIn.close();
      await repos.close();
    },
  };
}
