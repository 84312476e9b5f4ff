// Starts modgate the way users do: the built CLI on Node, or `npm run dev:worker`
// (wrangler dev, workerd) for the Worker. Both listen on loopback; the
// returned url is where the forward proxy sends the vanity hosts.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freeLoopbackPort, LOOPBACK } from "./net.js";
import { makeTempDir, removeDir } from "./tmp.js";

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export interface RunningModgate {
  url: string;
  /** Everything the process printed, for assertions and failure messages. */
  output(): string;
  /** The process, for signals. */
  child: ChildProcess;
  /** Stops the process (SIGTERM) and resolves with its exit code. */
  close(): Promise<number | null>;
}

/** `node dist/node/cli.js serve --config FILE` on an ephemeral port (run `npm run build` first). */
export function startModgateNode(configPath: string, env: NodeJS.ProcessEnv = {}, extraArgs: string[] = []): Promise<RunningModgate> {
  const child = spawn(process.execPath, ["dist/node/cli.js", "serve", "--config", configPath, "--port", "0", "--hostname", LOOPBACK, ...extraArgs], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return waitForUrl(child, /listening on (http:\/\/\S+)/, 30_000);
}

/**
 * `npm run dev:worker -- --port P --ip 127.0.0.1` with MODGATE_CONFIG=configPath.
 * `vars` become Worker vars (`--var NAME:VALUE`); they show on the command line npm echoes, so
 * values that must not be printed, such as GITLAB_TOKEN, go in `secrets`: Worker secrets, read
 * from a private env file (`--env-file`) the way wrangler dev reads .dev.vars.
 */
export async function startModgateWorker(
  configPath: string,
  vars: Record<string, string> = {},
  secrets: Record<string, string> = {},
  /** More wrangler dev arguments, e.g. `--persist-to <dir>` for a Cache API and R2 state of its own. */
  extraArgs: string[] = [],
): Promise<RunningModgate> {
  const port = await freeLoopbackPort();
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const secretsDir = Object.keys(secrets).length > 0 ? await makeTempDir("worker-secrets") : undefined;
  if (secretsDir !== undefined) {
    const file = join(secretsDir, "secrets.env");
    await writeFile(
      file,
      Object.entries(secrets)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}\n`)
        .join(""),
      { mode: 0o600 },
    );
    varArgs.push("--env-file", file);
  }
  const child = spawn("npm", ["run", "dev:worker", "--", "--port", String(port), "--ip", LOOPBACK, ...varArgs, ...extraArgs], {
    cwd: REPO_ROOT,
    env: { ...process.env, MODGATE_CONFIG: configPath, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so close() also stops workerd
  });
  const removeSecrets = () => (secretsDir === undefined ? Promise.resolve() : removeDir(secretsDir));
  let running: RunningModgate;
  try {
    running = await waitForUrl(child, /Ready on (http:\/\/\S+)/, 90_000);
  } catch (err) {
    await removeSecrets();
    throw err;
  }
  return {
    ...running,
    url: `http://${LOOPBACK}:${port}`,
    async close() {
      const code = await running.close();
      await removeSecrets();
      return code;
    },
  };
}

function waitForUrl(child: ChildProcess, ready: RegExp, timeoutMs: number): Promise<RunningModgate> {
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // A detached child leads its own process group: signal the whole group.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          child.kill("SIGTERM");
        }
      }
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`modgate did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      // Strip terminal colours wrangler may add around the address.
      const match = ready.exec(output.replace(/\x1b\[[0-9;]*m/g, ""));
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, output: () => output, child, close });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`modgate exited (${code}) before it was ready:\n${output}`));
    });
  });
}
