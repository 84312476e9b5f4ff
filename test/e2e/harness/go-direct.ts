// The direct-mode oracle: what the real go command computes with GOPROXY=direct for a module,
// reaching the fixtures the way a client does — modgate's go-import answer (through the forward
// proxy, as go-get-suite.ts does) and git smart HTTP from the GitLab stand-in. The conformance
// test compares these answers with modgate's proxy (GOPROXY=http://modgate) field by field.
import { goDownload, goLatest, goVersions } from "./go-answers.js";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startForwardProxy, type ForwardProxy } from "./forward-proxy.js";
import { createGoEnv, type GoEnv } from "./go-env.js";
import { startModgateNode, type RunningModgate } from "./modgate.js";
import { FIXTURE_HOST, fixtureRules, type ProxyFixture } from "./proxy-fixtures.js";
import { makeTempDir, removeDir } from "./tmp.js";

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

/**
 * Starts modgate (the built Node CLI: run `npm run build` first) on a config mapping the fixtures,
 * a forward proxy sending the vanity host to it, and an isolated go environment: GOTOOLCHAIN=local,
 * private HOME/GOPATH/GOMODCACHE, GOFLAGS=-mod=mod, GOSUMDB=off, GOPROXY=direct.
 */
export async function startDirectOracle(opts: DirectOracleOptions): Promise<DirectOracle> {
  const configDir = await makeTempDir("direct-config");
  let modgate: RunningModgate | undefined;
  let proxy: ForwardProxy | undefined;
  let go: GoEnv | undefined;
  const close = async () => {
    await Promise.allSettled([modgate?.close(), proxy?.close()]);
    await Promise.allSettled([go?.close(), removeDir(configDir)]);
  };
  try {
    const configPath = join(configDir, "modgate.yaml");
    await writeFile(configPath, directConfig(opts.gitlabUrl, opts.fixtures));
    modgate = await startModgateNode(configPath, { MODGATE_LOG: "off" });
    proxy = await startForwardProxy({ defaultUpstream: modgate.url });
    go = await createGoEnv({ proxyUrl: proxy.url, insecure: [FIXTURE_HOST], env: { GOPROXY: "direct", ...opts.env } });
  } catch (err) {
    await close();
    throw err;
  }
  const env = go;
  const running = modgate;
  const run = (args: string[]) => env.go(args);
  return {
    go: env,
    modgateOutput: () => running.output(),
    download: (modulePath, query) => goDownload(run, modulePath, query),
    versions: (modulePath) => goVersions(run, modulePath),
    latest: (modulePath) => goLatest(run, modulePath),
    close,
  };
}
