// SIGHUP reloads the config; SIGTERM and SIGINT stop accepting, let in-flight
// requests finish, and exit 0. Installed before the server starts, so a signal
// that arrives during start-up is never the default "terminate".
import type { RunningServer } from "./server.js";

export interface SignalHandling {
  /** Hands over the started server; a SIGHUP received while starting is applied now. */
  started(server: RunningServer): void;
}

export function handleSignals(): SignalHandling {
  let server: RunningServer | undefined;
  let reloadPending = false;
  let stopping = false;

  process.on("SIGHUP", () => {
    if (server) server.reload();
    else reloadPending = true;
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`modgate: ${signal}: finishing in-flight requests\n`);
    if (!server) process.exit(0);
    server.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  return {
    started(s) {
      server = s;
      if (stopping) void s.close().then(() => process.exit(0));
      else if (reloadPending) s.reload();
    },
  };
}
