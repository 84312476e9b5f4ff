// The environments under which the go command gets the demo's modules on this
// machine, each variable with the reason it is needed: direct (go-import
// answers, then git; env.sh) and through modgate's module proxy with no git on
// PATH (env-proxy.sh). The demo prints them as shell `export` lines and writes
// them to those files; the e2e test reads the same lines back, so what is
// printed is what is tested.

export interface DemoEnvironmentInput {
  /** The vanity host of the demo's modules, e.g. go.example.com. */
  vanityHost: string;
  /** The local forward proxy, `http://127.0.0.1:PORT`. */
  proxyUrl: string;
  /** Hosts the go command and git must reach without the proxy (the git server's). */
  direct: readonly string[];
  /** A module cache that lives and dies with the demo. */
  modCache: string;
}

export interface DemoVariable {
  name: string;
  value: string;
  why: string;
}

export function demoEnvironment(input: DemoEnvironmentInput): DemoVariable[] {
  const host = input.vanityHost;
  const direct = input.direct.join(",");
  return [
    // The vanity host has no DNS record: only a proxy can take the go command to it.
    { name: "HTTP_PROXY", value: input.proxyUrl, why: `${host} has no DNS record: a local forward proxy sends it to modgate` },
    // The go command asks https:// first. Through the proxy, which refuses
    // CONNECT, that attempt fails at once and the go command falls back to http;
    // without HTTPS_PROXY it goes to your DNS, where the name may resolve to
    // something else or the connection may hang until it times out.
    { name: "HTTPS_PROXY", value: input.proxyUrl, why: "the go command tries https first: the proxy refuses it at once, so it falls back to http" },
    // git (curl) must reach the git server directly; curl reads only no_proxy.
    { name: "NO_PROXY", value: direct, why: "git clones from the local GitLab directly, not through the proxy" },
    { name: "no_proxy", value: direct, why: "the same for curl inside git, which reads only the lower-case name" },
    // cmd/go falls back to http only for GOINSECURE paths, and only when https
    // failed at the connection level (internal/web/http.go): the refused CONNECT.
    { name: "GOINSECURE", value: host, why: `allows http for ${host} (the demo has no TLS certificate)` },
    // The proxy knows only the vanity host: proxy.golang.org is unreachable
    // through it, and it could not serve local modules anyway.
    { name: "GOPROXY", value: "direct", why: "modules come from their repositories, as on a GitLab without a module proxy" },
    // GONOSUMDB defaults to GOPRIVATE; sum.golang.org has never seen these modules.
    { name: "GOPRIVATE", value: host, why: `${host} modules are not public: no checksum database look-up` },
    { name: "GONOSUMDB", value: host, why: "the same, even when your go env sets GONOSUMDB otherwise" },
    // A toolchain download would also go through the proxy, and fail.
    { name: "GOTOOLCHAIN", value: "local", why: "no toolchain download through the demo's proxy" },
    { name: "GOMODCACHE", value: input.modCache, why: "the demo's modules stay out of your module cache and go with the demo" },
    // Without -modcacherw the module cache is read-only and could not be removed at the end.
    { name: "GOFLAGS", value: "-modcacherw", why: "lets the demo remove its module cache when it stops" },
  ];
}

export interface ProxyEnvironmentInput {
  /** The vanity host of the demo's modules, e.g. go.example.com. */
  vanityHost: string;
  /** modgate's URL, `http://127.0.0.1:PORT`: its module proxy answers there. */
  modgateUrl: string;
  /** A bin directory with the go command (and a few basic tools for the shell) and no git. */
  gitlessPath: string;
  /** A module cache of its own, apart from the direct environment's. */
  modCache: string;
}

/** The go command through modgate's module proxy, with no git on PATH. */
export function proxyEnvironment(input: ProxyEnvironmentInput): DemoVariable[] {
  const host = input.vanityHost;
  return [
    { name: "PATH", value: input.gitlessPath, why: "go and a few basic tools, no git: the module proxy needs none" },
    // modgate listens on loopback, which the go command never sends through a proxy: no HTTP_PROXY here.
    { name: "GOPROXY", value: input.modgateUrl, why: "modgate's module proxy: it builds the module zips from GitLab's API" },
    // GONOPROXY defaults to GOPRIVATE: with GOPRIVATE=go.example.com (env.sh's, or your go env's)
    // the go command would skip the proxy for these modules and look for git. `none` is what
    // `go help module-private` suggests for a proxy that serves private modules.
    { name: "GONOPROXY", value: "none", why: `the go command asks the proxy for ${host} too, whatever GOPRIVATE says` },
    { name: "GONOSUMDB", value: host, why: `${host} modules are not public: no checksum database look-up` },
    { name: "GOTOOLCHAIN", value: "local", why: "no toolchain download (modgate's proxy serves only the demo's modules)" },
    { name: "GOMODCACHE", value: input.modCache, why: "a module cache of its own: nothing comes from the direct environment's" },
    { name: "GOFLAGS", value: "-modcacherw", why: "lets the demo remove its module cache when it stops" },
  ];
}

/** `export NAME=value  # why` lines for sh, bash and zsh. */
export function exportLines(variables: readonly DemoVariable[], withReasons = true): string[] {
  return variables.map((v) => `export ${v.name}=${shellQuote(v.value)}${withReasons ? `  # ${v.why}` : ""}`);
}

/** A value as one shell word: bare when it is plain, else single-quoted. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
