// What the go command answers for one module query, in the shapes the direct-mode oracle uses
// (go-direct.ts), for any go environment — here the one pointed at modgate's proxy
// (GOPROXY=http://modgate). Kept apart from the oracle so both sides are read the same way.
import { readFile } from "node:fs/promises";
import type { DirectDownload, DirectLatest, DirectVersions } from "./go-direct.js";
import type { RunResult } from "./exec.js";
import { createGoEnv } from "./go-env.js";

/** Runs the go command with some arguments in a prepared environment. */
export type GoRunner = (args: string[]) => Promise<RunResult>;

/** A go command with GOPROXY=`proxyUrl` and a module cache of its own (nothing answered from an earlier question). */
export async function viaGoProxy<T>(proxyUrl: string, ask: (go: GoRunner) => Promise<T>): Promise<T> {
  const env = await createGoEnv({ env: { GOPROXY: proxyUrl } });
  try {
    return await ask((args) => env.go(args));
  } finally {
    await env.close();
  }
}

interface GoJson {
  Version?: string;
  Time?: string;
  Sum?: string;
  GoModSum?: string;
  Versions?: string[];
  Info?: string;
  Error?: string | { Err?: string };
}

/** The last JSON object go printed (go prints one per argument), or undefined. */
function lastJson(stdout: string): GoJson | undefined {
  const start = stdout.lastIndexOf("\n{");
  try {
    return JSON.parse(start < 0 ? stdout : stdout.slice(start + 1)) as GoJson;
  } catch {
    return undefined;
  }
}

/** go's own error words: the JSON's Error when it printed one, else stderr on a failed exit. */
function errorOf(json: GoJson | undefined, r: RunResult): string | undefined {
  const fromJson = typeof json?.Error === "string" ? json.Error : json?.Error?.Err;
  if (fromJson) return fromJson;
  return r.code === 0 ? undefined : r.stderr.trim() || `go exited ${r.code}`;
}

/** `go mod download -json mod@query`: Version, Sum, GoModSum, and Time from the cached .info file. */
export async function goDownload(go: GoRunner, modulePath: string, query: string): Promise<DirectDownload> {
  const r = await go(["mod", "download", "-json", `${modulePath}@${query}`]);
  const json = lastJson(r.stdout);
  const error = errorOf(json, r);
  if (error !== undefined) return { Error: error };
  const time = json?.Info === undefined ? undefined : (JSON.parse(await readFile(json.Info, "utf8")) as { Time?: string }).Time;
  return { Version: json?.Version, Time: time, Sum: json?.Sum, GoModSum: json?.GoModSum };
}

/** `go list -m -versions -json mod`. */
export async function goVersions(go: GoRunner, modulePath: string): Promise<DirectVersions> {
  const r = await go(["list", "-m", "-versions", "-json", modulePath]);
  const json = lastJson(r.stdout);
  const error = errorOf(json, r);
  return { Versions: json?.Versions ?? [], ...(error === undefined ? {} : { Error: error }) };
}

/** `go list -m -json mod@latest`. */
export async function goLatest(go: GoRunner, modulePath: string): Promise<DirectLatest> {
  const r = await go(["list", "-m", "-json", `${modulePath}@latest`]);
  const json = lastJson(r.stdout);
  const error = errorOf(json, r);
  if (error !== undefined) return { Error: error };
  return { Version: json?.Version, Time: json?.Time };
}
