// Runs a Dockerfile's steps without a Docker engine, for test/e2e/dockerfile.e2e.test.ts.
//
// Each stage gets a directory standing in for its root filesystem; paths inside the image map
// to paths below it (/app → <stage root>/app). COPY copies from the build context (the repo's
// files minus .dockerignore) or from an earlier stage's directory, RUN runs `/bin/sh -c` in the
// stage's WORKDIR with the stage's ENV, and the last stage's ENV, USER, EXPOSE, HEALTHCHECK,
// STOPSIGNAL, CMD and VOLUME are handed back to the test to start the service. The base image
// itself is not emulated: its tools (node, npm, sh) are this machine's. Steps that would touch the
// machine outside the stage's directory (useradd/groupadd, `install -d` of an absolute path) are
// recorded instead of run: `install -d` makes the directory below the stage root and records its
// owner, group and mode.
//
// Only the instructions modgate's Dockerfile needs are understood; anything else is an error,
// so the Dockerfile cannot grow a step the test silently skips.
import { spawn } from "node:child_process";
import { chmod, cp, mkdir, stat } from "node:fs/promises";
import { basename, dirname, join, posix } from "node:path";

export interface Instruction {
  keyword: string;
  /** The arguments, continuation lines joined. */
  args: string;
  /** 1-based line of the keyword in the Dockerfile. */
  line: number;
}

export interface Stage {
  index: number;
  image: string;
  name?: string;
  instructions: Instruction[];
}

export interface HealthCheck {
  options: Record<string, string>;
  /** Exec form: the argv; shell form: ['/bin/sh', '-c', text]. */
  command: string[];
}

/** What the last stage leaves for `docker run`. */
export interface FinalImage {
  /** The directory standing in for the image's root filesystem. */
  root: string;
  /** WORKDIR, as a path inside the image. */
  workdir: string;
  env: Record<string, string>;
  user?: string;
  /** Users and groups the stage's RUN lines create (useradd/groupadd are recorded, not run). */
  createdUsers: string[];
  expose: string[];
  healthcheck?: HealthCheck;
  stopSignal?: string;
  cmd?: string[];
  labels: Record<string, string>;
  /** VOLUME paths, inside the image. */
  volumes: string[];
  /** Directories made by `install -d` (recorded: made below the root, owner not applied). */
  ownedDirs: OwnedDir[];
}

export interface OwnedDir {
  /** Path inside the image. */
  path: string;
  owner?: string;
  group?: string;
  mode?: string;
}

const KNOWN = new Set(["FROM", "WORKDIR", "ENV", "COPY", "RUN", "USER", "EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "CMD", "LABEL", "VOLUME"]);

// ---------------------------------------------------------------------------
// Parsing

/** Splits a Dockerfile into stages of instructions (comments dropped, continuations joined). */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split("\n");
  let pending: { keyword: string; parts: string[]; line: number } | undefined;
  const finish = () => {
    if (pending === undefined) return;
    const { keyword, parts, line } = pending;
    pending = undefined;
    const args = parts.join(" ").trim();
    if (!KNOWN.has(keyword)) throw new Error(`Dockerfile:${line}: ${keyword} is not understood by the emulation`);
    if (keyword === "FROM") {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`Dockerfile:${line}: cannot read FROM ${args}`);
      stages.push({ index: stages.length, image: m[1]!, ...(m[2] ? { name: m[2] } : {}), instructions: [] });
      return;
    }
    const stage = stages[stages.length - 1];
    if (stage === undefined) throw new Error(`Dockerfile:${line}: ${keyword} before FROM`);
    stage.instructions.push({ keyword, args, line });
  };
  const pushPart = (part: string) => {
    const continued = part.endsWith("\\");
    pending!.parts.push(continued ? part.slice(0, -1) : part);
    if (!continued) finish();
  };
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.trim();
    // Comment and empty lines are dropped, also inside continuations, as Docker does.
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    if (pending === undefined) {
      const m = /^(\S+)\s*(.*)$/.exec(trimmed)!;
      pending = { keyword: m[1]!.toUpperCase(), parts: [], line: i + 1 };
      pushPart(m[2]!);
    } else {
      pushPart(trimmed);
    }
  }
  if (pending !== undefined) throw new Error(`Dockerfile:${(pending as { line: number }).line}: continuation at end of file`);
  return stages;
}

/** The JSON array of an exec-form instruction, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith("[")) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === "string")) throw new Error(`not a JSON string array: ${args}`);
  return parsed as string[];
}

/** Words of a shell-like argument string; quotes group, backslash escapes. */
function words(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === "\\" && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (quote !== undefined) throw new Error(`unterminated quote in ${text}`);
  if (has) out.push(cur);
  return out;
}

/** `K=V K2="V 2"` (or the legacy `K V`) of ENV and LABEL. */
export function keyValues(args: string): Record<string, string> {
  const w = words(args);
  if (w.length > 0 && !w[0]!.includes("=")) {
    const m = /^(\S+)\s+(.*)$/.exec(args.trim());
    if (!m) throw new Error(`cannot read ${args}`);
    return { [m[1]!]: m[2]! };
  }
  const out: Record<string, string> = {};
  for (const word of w) {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new Error(`not KEY=VALUE: ${word}`);
    out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

/** Leading `--name=value` flags, and the rest. */
function flags(args: string): { flags: Record<string, string>; rest: string } {
  const out: Record<string, string> = {};
  let rest = args.trim();
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!m) break;
    out[m[1]!] = m[2] ?? "true";
    rest = rest.slice(m[0].length);
  }
  return { flags: out, rest };
}

export function parseHealthcheck(args: string): HealthCheck | undefined {
  const { flags: options, rest } = flags(args);
  if (/^NONE$/i.test(rest)) return undefined;
  const m = /^CMD\s+([\s\S]*)$/i.exec(rest);
  if (!m) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  return { options, command: execForm(m[1]!) ?? ["/bin/sh", "-c", m[1]!] };
}

// ---------------------------------------------------------------------------
// The build context: the repository's files as a clean checkout has them, minus .dockerignore

/** Go filepath.Match plus `**`, as Docker's .dockerignore uses them, as a RegExp. */
function ignorePatternRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*") {
      if (pattern[i + 1] === "*") {
        i++;
        if (pattern[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (ch === "?") re += "[^/]";
    else if (ch === "\\" && i + 1 < pattern.length) re += "\\" + pattern[++i];
    else re += /[.+^${}()|[\]\\]/.test(ch) ? "\\" + ch : ch;
  }
  return new RegExp(`^${re}$`);
}

/** A predicate: is this context-relative path excluded by these .dockerignore lines? */
export function dockerignoreFilter(text: string): (path: string) => boolean {
  const rules = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!");
      const pattern = posix
        .normalize((negate ? l.slice(1) : l).trim())
        .replace(/^\/+/, "")
        .replace(/\/+$/, "");
      return { negate, re: ignorePatternRegExp(pattern) };
    });
  return (path) => {
    // A path is excluded when it, or a directory above it, matches; the last matching rule wins.
    const prefixes: string[] = [];
    const parts = path.split("/");
    for (let i = 1; i <= parts.length; i++) prefixes.push(parts.slice(0, i).join("/"));
    let excluded = false;
    for (const rule of rules) if (prefixes.some((p) => rule.re.test(p))) excluded = !rule.negate;
    return excluded;
  };
}

// ---------------------------------------------------------------------------
// Running

export interface StepLog {
  stage: number;
  line: number;
  keyword: string;
  args: string;
  ms: number;
  /** Why a step was not executed (useradd and friends). */
  skipped?: string;
}

export interface EmulateOptions {
  dockerfile: Stage[];
  /** The build context directory. */
  context: string;
  /** Where stage roots are made (stage-0, stage-1, ...). */
  workDir: string;
  /** The environment RUN steps start from (the base image's, approximately). */
  baseEnv: NodeJS.ProcessEnv;
  /** Per RUN step. */
  runTimeoutMs: number;
  onStep?: (log: StepLog) => void;
}

/** A stage as it is being built; the last one is the final image. */
type StageState = FinalImage;

/** Maps a path inside a stage's image to the directory standing in for it. */
export function hostPath(root: string, imagePath: string): string {
  return join(root, posix.normalize("/" + imagePath));
}

const USER_ADMIN = /^(groupadd|useradd|addgroup|adduser)\b/;

export async function emulateBuild(opts: EmulateOptions): Promise<{ final: FinalImage; steps: StepLog[] }> {
  const states: StageState[] = [];
  const steps: StepLog[] = [];
  for (const stage of opts.dockerfile) {
    const root = join(opts.workDir, `stage-${stage.index}`);
    await mkdir(root, { recursive: true });
    const st: StageState = { root, workdir: "/", env: {}, createdUsers: [], expose: [], labels: {}, volumes: [], ownedDirs: [] };
    states.push(st);
    for (const ins of stage.instructions) {
      const started = Date.now();
      let skipped: string | undefined;
      switch (ins.keyword) {
        case "WORKDIR":
          st.workdir = posix.resolve(st.workdir, ins.args);
          await mkdir(hostPath(root, st.workdir), { recursive: true });
          break;
        case "ENV":
          Object.assign(st.env, keyValues(ins.args));
          break;
        case "LABEL":
          Object.assign(st.labels, keyValues(ins.args));
          break;
        case "USER":
          st.user = ins.args.trim();
          break;
        case "EXPOSE":
          st.expose.push(...ins.args.trim().split(/\s+/));
          break;
        case "STOPSIGNAL":
          st.stopSignal = ins.args.trim();
          break;
        case "HEALTHCHECK": {
          const hc = parseHealthcheck(ins.args);
          if (hc === undefined) delete st.healthcheck;
          else st.healthcheck = hc;
          break;
        }
        case "CMD":
          st.cmd = execForm(ins.args) ?? ["/bin/sh", "-c", ins.args];
          break;
        case "VOLUME":
          // docker run mounts a volume there, initialised from the image's directory.
          for (const path of execForm(ins.args) ?? ins.args.trim().split(/\s+/)) {
            st.volumes.push(posix.resolve(st.workdir, path));
            await mkdir(hostPath(root, posix.resolve(st.workdir, path)), { recursive: true });
          }
          break;
        case "COPY":
          await copyStep(ins, st, states, opts);
          break;
        case "RUN":
          skipped = await runStep(ins, st, opts);
          break;
        default:
          throw new Error(`Dockerfile:${ins.line}: ${ins.keyword} is not understood by the emulation`);
      }
      const log: StepLog = { stage: stage.index, line: ins.line, keyword: ins.keyword, args: ins.args, ms: Date.now() - started };
      if (skipped !== undefined) log.skipped = skipped;
      steps.push(log);
      opts.onStep?.(log);
    }
  }
  const last = states[states.length - 1];
  if (last === undefined) throw new Error("Dockerfile has no stage");
  const { root, workdir, env, user, createdUsers, expose, healthcheck, stopSignal, cmd, labels, volumes, ownedDirs } = last;
  return {
    final: {
      root,
      workdir,
      env,
      createdUsers,
      expose,
      labels,
      volumes,
      ownedDirs,
      ...(user !== undefined ? { user } : {}),
      ...(healthcheck !== undefined ? { healthcheck } : {}),
      ...(stopSignal !== undefined ? { stopSignal } : {}),
      ...(cmd !== undefined ? { cmd } : {}),
    },
    steps,
  };
}

async function copyStep(ins: Instruction, st: StageState, states: StageState[], opts: EmulateOptions): Promise<void> {
  const { flags: f, rest } = flags(ins.args);
  for (const name of Object.keys(f)) {
    if (!["from", "chown", "chmod", "link"].includes(name)) throw new Error(`Dockerfile:${ins.line}: COPY --${name} is not understood`);
  }
  const paths = execForm(rest) ?? rest.split(/\s+/);
  if (paths.length < 2) throw new Error(`Dockerfile:${ins.line}: COPY needs a source and a destination`);
  const dest = paths[paths.length - 1]!;
  const sources = paths.slice(0, -1);
  let fromRoot: string;
  let fromBase: string;
  if (f.from !== undefined) {
    const stage = opts.dockerfile.find((s) => s.name === f.from || String(s.index) === f.from);
    const state = stage === undefined ? undefined : states[stage.index];
    if (state === undefined) throw new Error(`Dockerfile:${ins.line}: COPY --from=${f.from}: no earlier stage of that name`);
    fromRoot = state.root;
    fromBase = "/"; // --from paths are relative to that stage's root, not its WORKDIR
  } else {
    fromRoot = opts.context;
    fromBase = "";
  }
  const destImage = posix.resolve(st.workdir, dest);
  const destIsDir = dest.endsWith("/") || sources.length > 1;
  for (const src of sources) {
    if (/[*?[]/.test(src)) throw new Error(`Dockerfile:${ins.line}: wildcards in COPY are not understood`);
    const from = fromBase === "" ? join(fromRoot, posix.normalize(src).replace(/^\/+/, "")) : hostPath(fromRoot, src);
    const info = await stat(from).catch(() => undefined);
    if (info === undefined) throw new Error(`Dockerfile:${ins.line}: COPY ${src}: not found (after .dockerignore)`);
    let to: string;
    if (info.isDirectory())
      to = hostPath(st.root, destImage); // a directory's contents are copied
    else to = destIsDir ? join(hostPath(st.root, destImage), basename(src)) : hostPath(st.root, destImage);
    await mkdir(info.isDirectory() ? to : dirname(to), { recursive: true });
    await cp(from, to, { recursive: true, verbatimSymlinks: true });
  }
}

/** Runs a RUN step; returns why it was skipped, if it was. */
async function runStep(ins: Instruction, st: StageState, opts: EmulateOptions): Promise<string | undefined> {
  const exec = execForm(ins.args);
  if (exec === undefined) {
    const commands = ins.args.split("&&").map((c) => c.trim());
    const admin = commands.filter((c) => USER_ADMIN.test(c));
    if (admin.length > 0) {
      if (admin.length !== commands.length) {
        throw new Error(`Dockerfile:${ins.line}: keep useradd/groupadd in a RUN of their own (they are recorded, not run)`);
      }
      for (const c of admin) {
        const w = words(c);
        if (/^(useradd|adduser)$/.test(w[0]!)) st.createdUsers.push(w[w.length - 1]!);
      }
      return "user administration: recorded, not run";
    }
    const installs = commands.filter((c) => /^install\s+-d\b/.test(c));
    if (installs.length > 0) {
      if (installs.length !== commands.length) throw new Error(`Dockerfile:${ins.line}: keep install -d in a RUN of its own (it is recorded, not run)`);
      for (const c of installs) await recordInstallDir(ins, st, words(c).slice(1));
      return "install -d: directory made below the stage root, owner recorded";
    }
  }
  const argv = exec ?? ["/bin/sh", "-c", ins.args];
  const cwd = hostPath(st.root, st.workdir);
  const env = { ...opts.baseEnv, ...st.env };
  const result = await runCommand(argv, { cwd, env, timeoutMs: opts.runTimeoutMs });
  if (result.code !== 0) {
    throw new Error(`Dockerfile:${ins.line}: RUN ${ins.args} exited ${result.code}\n${result.output.slice(-4000)}`);
  }
  return undefined;
}

/** `install -d [-o OWNER] [-g GROUP] [-m MODE] DIR...`: made below the stage root, ownership recorded. */
async function recordInstallDir(ins: Instruction, st: StageState, args: string[]): Promise<void> {
  const dir: Omit<OwnedDir, "path"> = {};
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-d") continue;
    if (a === "-o" || a === "-g" || a === "-m") {
      const value = args[++i];
      if (value === undefined) throw new Error(`Dockerfile:${ins.line}: install ${a} needs a value`);
      if (a === "-o") dir.owner = value;
      else if (a === "-g") dir.group = value;
      else dir.mode = value;
    } else if (a.startsWith("-")) {
      throw new Error(`Dockerfile:${ins.line}: install ${a} is not understood by the emulation`);
    } else {
      paths.push(posix.resolve(st.workdir, a));
    }
  }
  for (const path of paths) {
    // As coreutils' install: missing parents get the default mode, only the directory itself MODE.
    const host = hostPath(st.root, path);
    await mkdir(dirname(host), { recursive: true });
    await mkdir(host, { recursive: true });
    if (dir.mode) await chmod(host, parseInt(dir.mode, 8));
    st.ownedDirs.push({ path, ...dir });
  }
}

export function runCommand(
  argv: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; uid?: number; gid?: number },
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: opts.timeoutMs,
      killSignal: "SIGKILL",
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}
