import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runOk } from "./exec.js";
import { freeLoopbackPort, LOOPBACK } from "./net.js";
import { makeTempDir, removeDir } from "./tmp.js";
import { toolPath } from "./tools.js";

export interface SshdOptions {
  /** Directory holding the bare repositories, as for the git HTTP server. */
  root: string;
}

export interface SshGitServer {
  port: number;
  /**
   * The unix user to put in ssh URLs. sshd only logs in real accounts, and it runs as the
   * current user, so tests use this name where GitLab would have `git`.
   */
  sshUser: string;
  /** `ssh://<sshUser>@127.0.0.1:PORT/<projectPath>.git`, the form GitLab uses on a non-default port. */
  repoUrl(projectPath: string): string;
  /** Environment that makes git (and so the go command) connect with the throwaway client key. */
  gitEnv(): Record<string, string>;
  /** Everything sshd printed (it runs with -e), for diagnosing a failed clone. */
  log(): string;
  close(): Promise<void>;
}

const FORCED_COMMAND_SCRIPT = fileURLToPath(new URL("./ssh-git-shell.mjs", import.meta.url));

/** Where Debian's sshd insists on a privilege-separation directory when started as root. */
const PRIVSEP_DIR = "/run/sshd";

const START_ATTEMPTS = 5;
const START_TIMEOUT_MS = 10_000;

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

async function generateKey(file: string): Promise<void> {
  await runOk(toolPath("ssh-keygen"), ["-q", "-t", "ed25519", "-N", "", "-C", "modgate-e2e", "-f", file], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
}

function sshdConfig(dir: string, user: string): string {
  return [
    `ListenAddress ${LOOPBACK}`,
    `HostKey ${join(dir, "host_ed25519_key")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    `AllowUsers ${user}`,
    // Root is how CI runs; the forced command keeps the key from doing anything but fetch.
    "PermitRootLogin yes",
    // Temp dirs and a non-root user's files would fail sshd's ownership checks.
    "StrictModes no",
    // PAM needs root and a service file; key authentication does not need it.
    "UsePAM no",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    // git asks for protocol v2 through this variable.
    "AcceptEnv GIT_PROTOCOL",
    "PermitTTY no",
    "X11Forwarding no",
    "AllowTcpForwarding no",
    "PrintMotd no",
    "LogLevel INFO",
    "",
  ].join("\n");
}

/** Resolves once sshd reports it is listening; rejects with its output if it exits first. */
function waitListening(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`sshd did not start in time:\n${output()}`)), START_TIMEOUT_MS);
    const onData = (): void => {
      if (output().includes("Server listening on")) finish();
    };
    const onExit = (code: number | null): void => finish(new Error(`sshd exited ${code}:\n${output()}`));
    function finish(err?: Error): void {
      clearTimeout(timer);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    }
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/**
 * Starts OpenSSH's sshd on a loopback port, running as the current user with its own config,
 * host key and authorized_keys, so it needs no system setup. Its one client key may only run
 * the forced command in ssh-git-shell.mjs, which serves upload-pack like gitlab-shell does.
 */
export async function startSshGitServer(opts: SshdOptions): Promise<SshGitServer> {
  const dir = await makeTempDir("sshd");
  const sshUser = userInfo().username;
  const clientKey = join(dir, "client_ed25519");
  await Promise.all([generateKey(join(dir, "host_ed25519_key")), generateKey(clientKey)]);

  const forced = [process.execPath, FORCED_COMMAND_SCRIPT, opts.root, toolPath("git")].map(shellQuote).join(" ");
  const publicKey = (await readFile(`${clientKey}.pub`, "utf8")).trim();
  await writeFile(join(dir, "authorized_keys"), `restrict,command="${forced.replace(/"/g, '\\"')}" ${publicKey}\n`);
  const configFile = join(dir, "sshd_config");
  await writeFile(configFile, sshdConfig(dir, sshUser));
  if (process.getuid?.() === 0) await mkdir(PRIVSEP_DIR, { recursive: true, mode: 0o755 });

  // sshd must be told its port, so pick a free one and retry if another process wins the race.
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await freeLoopbackPort();
    let output = "";
    // sshd re-executes itself and therefore must be started by absolute path.
    const child = spawn(toolPath("sshd"), ["-D", "-e", "-f", configFile, "-p", String(port)], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    try {
      await waitListening(child, () => output);
    } catch (err) {
      lastError = err;
      await stop(child);
      continue;
    }
    const sshCommand = [
      toolPath("ssh"),
      "-F",
      "none",
      "-i",
      clientKey,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "BatchMode=yes",
      // What the go command itself adds when GIT_SSH_COMMAND is unset; keep it since we set it.
      "-o",
      "ControlMaster=no",
      // Hides "Permanently added ... to the list of known hosts" on every connection.
      "-o",
      "LogLevel=ERROR",
    ]
      .map(shellQuote)
      .join(" ");
    return {
      port,
      sshUser,
      repoUrl: (projectPath) => `ssh://${sshUser}@${LOOPBACK}:${port}/${projectPath}.git`,
      gitEnv: () => ({ GIT_SSH_COMMAND: sshCommand }),
      log: () => output,
      close: async () => {
        await stop(child);
        await removeDir(dir);
      },
    };
  }
  await removeDir(dir);
  throw lastError;
}
