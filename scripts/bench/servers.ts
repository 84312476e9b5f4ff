// The processes under test: modgate (the built CLI) and the limit server, each
// its own process group on loopback, and the capture of modgate's answers that
// the limit replays.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const CLI = join(REPO_ROOT, "dist/node/cli.js");
const LIMIT_SERVER = fileURLToPath(new URL("./limit-server.mjs", import.meta.url));

export interface Running {
  /** `http://127.0.0.1:PORT` */
  url: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Every process group started, so a crash or Ctrl-C of the benchmark stops them too. */
const groups = new Set<number>();
function killAll(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface Group {
  pid: number;
  child: ChildProcess;
  output(): string;
  exited: Promise<void>;
  /** SIGTERM to the whole process group, SIGKILL after 10 s; resolves once the leader exited. */
  stop(): Promise<void>;
}

/** Spawns `command` in its own process group, keeping the last 64 KiB of its output. */
export function spawnGroup(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Group {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pid = child.pid!;
  groups.add(pid);
  let output = "";
  const onData = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-64 * 1024));
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      groups.delete(pid);
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup(pid, "SIGTERM");
      const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    // Anything left in the group (a grandchild that ignored SIGTERM) goes too.
    signalGroup(pid, "SIGKILL");
  };
  return { pid, child, output: () => output.replace(/\x1b\[[0-9;]*m/g, ""), exited, stop };
}

/** Spawns `command` in its own process group and waits for `ready` (its first group: the URL) in its output. */
export function startProcess(
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; ready: RegExp; timeoutMs: number; label: string },
): Promise<Running> {
  const group = spawnGroup(command, args, opts.env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      void group.stop();
      reject(new Error(`${opts.label} did not start within ${opts.timeoutMs} ms:\n${group.output()}`));
    }, opts.timeoutMs);
    const poll = setInterval(() => {
      const match = opts.ready.exec(group.output());
      if (match) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve({ url: match[1]!, pid: group.pid, child: group.child, output: group.output, stop: group.stop });
      }
    }, 10);
    group.child.once("exit", (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`${opts.label} exited (${signal ?? code}) before it was ready:\n${group.output()}`));
    });
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** `modgate serve` on an ephemeral loopback port, access log off. */
export function startModgate(configPath: string, workers: string = "1", env: NodeJS.ProcessEnv = {}): Promise<Running> {
  return startProcess(process.execPath, [CLI, "serve", "--config", configPath, "--port", "0", "--hostname", "127.0.0.1", "--workers", workers], {
    env: { MODGATE_LOG: "off", ...env },
    ready: /modgate: listening on (http:\/\/\S+)/,
    timeoutMs: 30_000,
    label: `modgate (${configPath})`,
  });
}

export interface Answer {
  status: number;
  /** As received: [name, value, name, value, ...] */
  rawHeaders: string[];
  body: Buffer;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** One GET with keep-alive, as the load generator sends it. */
export function get(baseUrl: string, host: string, path: string, timeoutMs = 10_000, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { agent, headers: { host, "user-agent": "Go-http-client/1.1", ...headers }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

export function closeClientSockets(): void {
  agent.destroy();
}

/** Headers node:http adds to every answer by itself, for modgate and the limit alike. */
const ADDED_BY_NODE = new Set(["date", "connection", "keep-alive"]);

function replayedHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!ADDED_BY_NODE.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

export interface Recorded {
  host: string;
  path: string;
  answer: Answer;
}

/** Starts the limit server replaying `recorded`; the replay file goes to `file`. */
export function startLimit(recorded: Recorded[], file: string): Promise<Running> {
  const entries = recorded.map((r) => ({
    key: r.host + r.path,
    status: r.answer.status,
    headers: replayedHeaders(r.answer.rawHeaders),
    body: r.answer.body.toString("base64"),
  }));
  writeFileSync(file, JSON.stringify(entries));
  return startProcess(process.execPath, [LIMIT_SERVER, file], {
    ready: /limit: listening on (http:\/\/\S+)/,
    timeoutMs: 15_000,
    label: "limit server",
  });
}

/** Why two answers differ (Date aside), or undefined when they are the same bytes. */
export function difference(a: Answer, b: Answer): string | undefined {
  if (a.status !== b.status) return `status ${a.status} vs ${b.status}`;
  const ha = a.rawHeaders.filter((_, i, all) => all[i - (i % 2)]!.toLowerCase() !== "date");
  const hb = b.rawHeaders.filter((_, i, all) => all[i - (i % 2)]!.toLowerCase() !== "date");
  if (ha.join("\n") !== hb.join("\n")) return `headers differ:\n  ${ha.join(" | ")}\n  ${hb.join(" | ")}`;
  if (!a.body.equals(b.body)) return `bodies differ (${a.body.length} vs ${b.body.length} bytes)`;
  return undefined;
}
