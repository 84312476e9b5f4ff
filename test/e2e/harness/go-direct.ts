// The direct-mode oracle: what the real go command computes with GOPROXY=direct for a module,
// reaching the fixtures the way a client does — modgate's go-import answer (through the forward
// proxy, as go-get-suite.ts does) and git smart HTTP from the GitLab stand-in. The conformance
// test compares these answers with modgate's proxy (GOPROXY=http://modgate) field by field.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startForwardProxy, type ForwardProxy } from './forward-proxy.js';
import { createGoEnv, type GoEnv } from './go-env.js';
import { startModgateNode, type RunningModgate } from './modgate.js';
import { FIXTURE_HOST, fixtureRules, type ProxyFixture } from './proxy-fixtures.js';
import { makeTempDir, removeDir } from './tmp.js';

/** `go mod download -json mod@query`: the fields the proxy must reproduce. */
export interface DirectDownload {
  Version?: string;
  /** RFC 3339 in UTC, as go prints it. */
  Time?: string;
  Sum?: string;
  GoModSum?: string;
  /** go's own error text (from the JSON, else stderr) when the download failed. */
  Error?: string;
}

/** `go list -m -versions -json mod` (retracted versions omitted, as go omits them). */
export interface DirectVersions {
  Versions: string[];
  Error?: string;
}

/** `go list -m -json mod@latest`. */
export interface DirectLatest {
  Version?: string;
  Time?: string;
  Error?: string;
}

export interface DirectOracle {
  download(modulePath: string, query: string): Promise<DirectDownload>;
  versions(modulePath: string): Promise<DirectVersions>;
  latest(modulePath: string): Promise<DirectLatest>;
  /** The go environment (GOPROXY=direct), e.g. to run other go commands. */
  go: GoEnv;
  /** modgate's output, for failure messages. */
  modgateOutput(): string;
  close(): Promise<void>;
}

export interface DirectOracleOptions {
  /** GitLab stand-in URL serving the fixtures (git over HTTP at `<url>/fixtures/<name>.git`). */
  gitlabUrl: string;
  fixtures: readonly ProxyFixture[];
  /** Extra environment for the go command (e.g. GOFLAGS). */
  env?: Record<string, string>;
}

/** A modgate config that maps every fixture to its project over https (git smart HTTP). */
export function directConfig(gitlabUrl: string, fixtures: readonly ProxyFixture[]): string {
  return `gitlab:\n  url: ${gitlabUrl}\n  transport: https\ncacheMaxAge: 60\nmodules:\n${fixtureRules(fixtures)}`;
}

interface GoJson {
  Version?: string;
  Time?: string;
  Sum?: string;
  GoModSum?: string;
  Versions?: string[];
  /** `go mod download`: the cached .info file, which holds Time (the JSON itself has none). */
  Info?: string;
  Error?: string | { Err?: string };
}

/** Time from the .info file go wrote into its module cache. */
async function infoTime(infoPath: string | undefined): Promise<string | undefined> {
  if (infoPath === undefined) return undefined;
  return (JSON.parse(await readFile(infoPath, 'utf8')) as { Time?: string }).Time;
}

/** The last JSON object go printed (download prints one per argument), or undefined. */
function parseGoJson(stdout: string): GoJson | undefined {
  const start = stdout.lastIndexOf('\n{');
  try {
    return JSON.parse(start < 0 ? stdout : stdout.slice(start + 1)) as GoJson;
  } catch {
    return undefined;
  }
}

function errorText(json: GoJson | undefined, stderr: string, code: number): string | undefined {
  const fromJson = typeof json?.Error === 'string' ? json.Error : json?.Error?.Err;
  if (fromJson) return fromJson;
  return code === 0 ? undefined : stderr.trim() || `go exited ${code}`;
}

/**
 * Starts modgate (the built Node CLI: run `npm run build` first) on a config mapping the fixtures,
 * a forward proxy sending the vanity host to it, and an isolated go environment: GOTOOLCHAIN=local,
 * private HOME/GOPATH/GOMODCACHE, GOFLAGS=-mod=mod, GOSUMDB=off, GOPROXY=direct.
 */
export async function startDirectOracle(opts: DirectOracleOptions): Promise<DirectOracle> {
  const configDir = await makeTempDir('direct-config');
  let modgate: RunningModgate | undefined;
  let proxy: ForwardProxy | undefined;
  let go: GoEnv | undefined;
  const close = async () => {
    await Promise.allSettled([modgate?.close(), proxy?.close()]);
    await Promise.allSettled([go?.close(), removeDir(configDir)]);
  };
  try {
    const configPath = join(configDir, 'modgate.yaml');
    await writeFile(configPath, directConfig(opts.gitlabUrl, opts.fixtures));
    modgate = await startModgateNode(configPath, { MODGATE_LOG: 'off' });
    proxy = await startForwardProxy({ defaultUpstream: modgate.url });
    go = await createGoEnv({ proxyUrl: proxy.url, insecure: [FIXTURE_HOST], env: { GOPROXY: 'direct', ...opts.env } });
  } catch (err) {
    await close();
    throw err;
  }
  const env = go;
  const running = modgate;
  return {
    go: env,
    modgateOutput: () => running.output(),
    async download(modulePath, query) {
      const r = await env.go(['mod', 'download', '-json', `${modulePath}@${query}`]);
      const json = parseGoJson(r.stdout);
      const error = errorText(json, r.stderr, r.code);
      if (error !== undefined) return { Error: error };
      return { Version: json?.Version, Time: await infoTime(json?.Info), Sum: json?.Sum, GoModSum: json?.GoModSum };
    },
    async versions(modulePath) {
      const r = await env.go(['list', '-m', '-versions', '-json', modulePath]);
      const json = parseGoJson(r.stdout);
      const error = errorText(json, r.stderr, r.code);
      return { Versions: json?.Versions ?? [], ...(error === undefined ? {} : { Error: error }) };
    },
    async latest(modulePath) {
      const r = await env.go(['list', '-m', '-json', `${modulePath}@latest`]);
      const json = parseGoJson(r.stdout);
      const error = errorText(json, r.stderr, r.code);
      if (error !== undefined) return { Error: error };
      return { Version: json?.Version, Time: json?.Time };
    },
    close,
  };
}
