// SIGHUP reloads the config; SIGTERM and SIGINT stop accepting, let in-flight
// requests finish, and exit 0.
import type { RunningServer } from "./server.js";

export function handleSignals(server: RunningServer): void {
  process.on("SIGHUP", () => server.reload());
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`modgate: ${signal}: finishing in-flight requests\n`);
    server.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
