#!/usr/bin/env node
// modgate's command line: serve, check, resolve, store verify, --version.
import { existsSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { parseArgs } from "node:util";
import { configPathFrom, loadConfigFile } from "./config-file.js";
import { portTextFrom } from "./env.js";
import { loadModgate } from "./load-modgate.js";
import { startServer } from "./server.js";
import { describeConfigError } from "../config/problems.js";
import { accessLogEnabled } from "./access-log.js";
import { describeLookup, resolveImportPath, resolveModuleVersion } from "./resolve.js";
import { TagMoveLog } from "./tag-move-log.js";
import { handleSignals } from "./signals.js";
import { isClusterWorker, parseWorkerCount, runPrimary } from "./cluster.js";
import { count } from "./count.js";
import { packageVersion } from "./version.js";
import { DiskStore } from "./disk-store.js";
import { verifyStore } from "../proxy/cache/store-verify.js";

const USAGE = `usage:
  modgate serve [--config FILE] [--port N] [--hostname ADDR] [--workers N|auto]
  modgate check [--config FILE | FILE]
  modgate resolve [--config FILE] IMPORT_PATH | MODULE@VERSION
  modgate store verify [--config FILE] [--fix]
  modgate --version

resolve MODULE@VERSION (a version, branch, commit or latest) prints what the module
proxy serves: version, commit, time, file count and h1 sums, as go mod download -json.
store verify re-hashes every zip in proxy.cacheDir against its recorded h1 and size;
--fix removes each bad version, so its next download builds it again.
The config defaults to $MODGATE_CONFIG or config/modgate.yaml; the port to $PORT or 8080.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return serve(rest);
    case "check":
      return check(rest);
    case "resolve":
      return resolve(rest);
    case "store":
      return store(rest);
    case "--version":
    case "-v":
    case "version":
      process.stdout.write(`modgate ${packageVersion()}\n`);
      return 0;
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE + "\n");
      return 0;
    default:
      throw new UsageError(command === undefined ? "missing command" : `unknown command ${JSON.stringify(command)}`);
  }
}

function parse<const T extends Record<string, { type: "string" } | { type: "boolean" }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: "string" },
    port: { type: "string" },
    hostname: { type: "string" },
    workers: { type: "string" },
  });
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got ${positionals.join(" ")}`);
  const workers = parseWorkerCount(values.workers);
  if (workers === undefined) throw new UsageError(`invalid --workers ${JSON.stringify(values.workers)}: a number or auto`);
  const portText = portTextFrom(values.port);
  // Number("") and Number(" ") are 0: a blank --port is no port, not "any free port".
  const port = /^\s*$/.test(portText) ? NaN : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid port ${JSON.stringify(portText)}`);
  const configPath = configPathFrom(values.config);
  if (workers > 1 && !isClusterWorker()) {
    loadConfigFile(configPath); // fail fast, once, on a broken config
    return runPrimary(workers, (line) => process.stderr.write(line + "\n"));
  }
  const signals = handleSignals();
  const server = await startServer({
    configPath,
    port,
    hostname: values.hostname ?? "0.0.0.0",
    accessLog: accessLogEnabled() ? (line) => process.stdout.write(line) : undefined,
    // In a cluster the primary announces the address once.
    quietStart: isClusterWorker(),
  });
  signals.started(server);
  return new Promise<number>(() => {}); // runs until a signal stops it
}

/** Checks the file given, else the one serve and resolve would load. */
function check(args: string[]): number {
  const { values, positionals } = parse(args, { config: { type: "string" } });
  if (positionals.length > 1) throw new UsageError("check takes at most one FILE");
  if (positionals.length === 1 && values.config !== undefined) throw new UsageError("check takes --config FILE or FILE, not both");
  const file = configPathFrom(positionals[0] ?? values.config);
  const config = loadConfigFile(file);
  const hosts = new Set(config.modules.map((m) => m.host));
  process.stdout.write(`${file}: ok: ${count(config.modules.length, "module")} on ${count(hosts.size, "host")} (${[...hosts].join(", ")})\n`);
  return 0;
}

async function resolve(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { config: { type: "string" } });
  if (positionals.length !== 1) throw new UsageError("resolve takes one IMPORT_PATH or MODULE@VERSION");
  const configPath = configPathFrom(values.config);
  const arg = positionals[0]!;
  const tagMoves = new TagMoveLog((line) => process.stderr.write(line + "\n"));
  const modgate = loadModgate(configPath, {
    onEvent: (event) => process.stdout.write(describeLookup(event) + "\n"),
    // The operator comparing sums wants to know when the store keeps a version GitLab has since moved.
    onProxyEvent: (event) => {
      if (event.type === "tag-moved") tagMoves.note(event);
    },
  });
  // "@" is never in an import path: with it, the argument is a module query for the proxy.
  const result = arg.includes("@") ? await resolveModuleVersion(modgate, arg, configPath) : await resolveImportPath(modgate, arg);
  for (const line of result.lines) process.stdout.write(line + "\n");
  return result.ok ? 0 : 1;
}

async function store(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "verify") throw new UsageError(sub === undefined ? "store takes a subcommand: verify" : `unknown store subcommand ${JSON.stringify(sub)}`);
  const { values, positionals } = parse(rest, { config: { type: "string" }, fix: { type: "boolean" } });
  if (positionals.length > 0) throw new UsageError(`store verify takes no arguments, got ${positionals.join(" ")}`);
  const configPath = configPathFrom(values.config);
  // Relative to the working directory, as serve opens it.
  const dir = resolvePath(loadConfigFile(configPath).proxy.cacheDir);
  if (!existsSync(dir)) {
    process.stderr.write(`modgate: there is no store at ${dir} (proxy.cacheDir in ${configPath}): nothing was built yet, or the config is not the server's\n`);
    return 1;
  }
  const disk = new DiskStore(dir);
  try {
    const fix = values.fix === true;
    const report = await verifyStore(disk, {
      fix,
      onBad: (bad) => process.stdout.write(`${bad.name}: ${bad.why} (${bad.key})${bad.removed ? ": removed" : ""}\n`),
    });
    const checked = `${dir}: ${count(report.checked, "version")} checked`;
    if (report.bad.length === 0) {
      process.stdout.write(`${checked}, every zip as recorded\n`);
      return 0;
    }
    const then = fix ? "removed, built again on their next download" : "run with --fix to remove them";
    process.stdout.write(`${checked}, ${report.bad.length} bad: ${then}\n`);
    return 1;
  } finally {
    await disk.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`modgate: ${err.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(describeConfigError(err) + "\n");
    process.exit(1);
  },
);
