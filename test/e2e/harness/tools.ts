import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export type ToolName = "git" | "git-http-backend" | "go" | "openssl" | "ssh" | "ssh-keygen" | "sshd";

/** Where a tool lives when it is not on PATH (the Go tarball and Debian's sbin are often not). */
const FALLBACK_DIRS: Partial<Record<ToolName, string[]>> = {
  go: ["/usr/local/go/bin"],
  sshd: ["/usr/sbin", "/usr/local/sbin"],
};

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function searchPath(name: string, extraDirs: readonly string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...extraDirs];
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

/** Absolute path of any program on PATH (a shell's `command -v`, executables only), or undefined. */
export function findOnPath(name: string): string | undefined {
  return searchPath(name, []);
}

const cache = new Map<ToolName, string | undefined>();

function resolveTool(name: ToolName): string | undefined {
  if (name === "git-http-backend") {
    // Not on PATH: it lives in git's exec dir, which only git itself can tell.
    const git = toolPathOrUndefined("git");
    if (git === undefined) return undefined;
    const execDir = execFileSync(git, ["--exec-path"], { encoding: "utf8" }).trim();
    const backend = join(execDir, "git-http-backend");
    return isExecutable(backend) ? backend : undefined;
  }
  return searchPath(name, FALLBACK_DIRS[name] ?? []);
}

function toolPathOrUndefined(name: ToolName): string | undefined {
  if (!cache.has(name)) cache.set(name, resolveTool(name));
  return cache.get(name);
}

/** Absolute path of a tool (sshd insists on being started by absolute path). Throws when missing. */
export function toolPath(name: ToolName): string {
  const found = toolPathOrUndefined(name);
  if (found === undefined) throw new Error(`required tool not found: ${name}`);
  return found;
}

/**
 * True when every tool is installed. A missing tool lets the test skip on a developer's
 * machine, but in CI (CI=true) it throws, so a broken CI image fails loudly instead of
 * passing with the end-to-end tests silently skipped.
 */
export function requireTools(...names: ToolName[]): boolean {
  const missing = names.filter((name) => toolPathOrUndefined(name) === undefined);
  if (missing.length === 0) return true;
  const message = `e2e tools missing: ${missing.join(", ")}`;
  if (process.env.CI === "true") throw new Error(`${message} (CI=true, so this is a failure, not a skip)`);
  console.warn(`${message}; skipping`);
  return false;
}

/** Single-tool form of requireTools. */
export function requireTool(name: ToolName): boolean {
  return requireTools(name);
}
