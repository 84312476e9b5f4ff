// The Node server: the core app on node:http, with config reloads and a
// graceful stop. Signals are wired in cli.ts so tests can drive this directly.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describeConfigError } from "../config/problems.js";
import { ModgateLoader } from "./load-modgate.js";
import { formatAccessLog } from "./access-log.js";
import { createRequestListener } from "./request-listener.js";
import { Metrics } from "./metrics.js";
import { applyLimits, limitsOf, reportDrops, serverOptions } from "./server-limits.js";
import { GitlabStateLog } from "../gitlab/state-log.js";
import { count } from "./count.js";
import { TagMoveLog } from "./tag-move-log.js";
import { trustedProxies } from "./client-address.js";

export interface ServerOptions {
  configPath: string;
  port: number;
  hostname: string;
  /** Where access-log lines go; undefined to log nothing. */
  accessLog?: (line: string) => void;
  /** Where operational messages go (start, reload, errors). */
  report?: (line: string) => void;
  /** Do not announce the address (cluster workers: the primary does). */
  quietStart?: boolean;
}

export interface RunningServer {
  readonly port: number;
  readonly url: string;
  /** Re-reads the config; on a problem, reports it and keeps the last good config. */
  reload(): boolean;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  close(graceMs?: number): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const report = options.report ?? ((line: string) => process.stderr.write(line + "\n"));
  const metrics = new Metrics();
  // One line per change of GitLab's state (failing with its cause, recovered), never one per request.
  const gitlabLog = new GitlabStateLog(report);
  // Once per version for the process's life: the log outlives config reloads.
  const tagMoves = new TagMoveLog(report);
  const loader = new ModgateLoader(options.configPath, {
    onEvent: (event) => metrics.countLookup(event),
    onGitlabState: (state) => {
      metrics.setGitlabState(state);
      gitlabLog.update(state);
    },
    onProxyEvent: (event) => {
      metrics.proxy.count(event);
      if (event.type === "tag-moved" && tagMoves.note(event)) metrics.proxy.countMovedTag();
    },
  });
  // Throws on a broken config: at start there is no last good one to keep.
  let modgate = loader.load();
  trustedProxies(limitsOf(modgate.config).trustedProxies); // made now, so a bad entry fails here, not in a request

  const current = () => modgate;
  const write = options.accessLog;
  let closing = false;
  const server = createServer(
    serverOptions(limitsOf(modgate.config)),
    createRequestListener({
      modgate: current,
      metrics,
      stopping: () => closing,
      ...(write ? { accessLog: (entry) => write(formatAccessLog(entry)) } : {}),
    }),
  );
  applyLimits(server, limitsOf(modgate.config));
  reportDrops(server, report);
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => reject(listenError(err, options));
    server.once("error", failed);
    server.listen(options.port, options.hostname, () => {
      server.off("error", failed);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.hostname.includes(":") ? `[${options.hostname}]` : options.hostname;
  const url = `http://${shownHost}:${port}`;
  if (!options.quietStart) report(`modgate: listening on ${url} (${count(modgate.config.modules.length, "module")} from ${options.configPath})`);

  return {
    port,
    url,
    reload() {
      try {
        const next = loader.load();
        trustedProxies(limitsOf(next.config).trustedProxies);
        modgate = next;
        applyLimits(server, limitsOf(modgate.config));
        metrics.countReload(true);
        report(`modgate: reloaded ${options.configPath} (${count(modgate.config.modules.length, "module")})`);
        return true;
      } catch (err) {
        metrics.countReload(false);
        report(`modgate: reload failed, still serving the last good config:\n${describeConfigError(err)}`);
        return false;
      }
    },
    close(graceMs = 10_000) {
      closing = true;
      gitlabLog.close();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections with no request in flight would hold close() open.
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
      });
    },
  };
}

/** Why the server could not listen, and what to do about it. */
function listenError(err: NodeJS.ErrnoException, options: ServerOptions): Error {
  const where = `${options.hostname}:${options.port}`;
  if (err.code === "EADDRINUSE") return new Error(`modgate: cannot listen on ${where}: the port is taken (EADDRINUSE); choose another with --port or PORT`);
  if (err.code === "EACCES") return new Error(`modgate: cannot listen on ${where}: not allowed; use a port above 1023, or run behind nginx`);
  if (err.code === "EADDRNOTAVAIL") return new Error(`modgate: cannot listen on ${where}: no such local address; check --hostname`);
  return new Error(`modgate: cannot listen on ${where}: ${err.message}`);
}
