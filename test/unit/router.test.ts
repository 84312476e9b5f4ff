// Matching a request to a rule: hosts, element boundaries, precedence,
// templates; and the clone URLs the compiled config carries.
import { afterEach, describe, expect, it, vi } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { COMPILED_FORMAT, type CompiledConfig } from "../../src/core/compiled.js";
import { splitElements } from "../../src/core/importpath.js";
import { Router, normalizeHost } from "../../src/core/router.js";
import { Rule } from "../../src/core/rule.js";
import { goImports } from "../contract/meta.js";
import { compiledModule, handBuilt, staticMatch } from "./configs.js";

function routerFor(yaml: string): Router {
  return new Router(compileConfig(yaml, "router.yaml"));
}

/** A repo: module line pair for YAML, so configs stay one line per rule. */
function repoModule(path: string, repo: string): string {
  return `  - path: ${path}\n    repo: ${repo}\n`;
}

function modulesYaml(...modules: Array<[path: string, repo: string]>): string {
  return "modules:\n" + modules.map(([path, repo]) => repoModule(path, repo)).join("");
}

interface Resolved {
  root: string;
  rest: string;
  goImport: string;
}

/** What the router answers for a full import path asked on its own host. */
function resolve(router: Router, importPath: string, hostHeader?: string): Resolved | undefined {
  if (!splitElements(importPath.split("/").slice(1).join("/"))) throw new Error(`not a valid import path: ${importPath}`);
  const match = staticMatch(router, importPath, hostHeader);
  if (!match) return undefined;
  const tags = goImports(match.module.page);
  expect(tags, `exactly one go-import tag for ${importPath}`).toHaveLength(1);
  return { root: match.module.root, rest: match.rest, goImport: tags[0]! };
}

describe("matching inside one host", () => {
  const router = routerFor(
    modulesYaml(
      ["go.example.com/tools", "https://git.example.com/tools"],
      ["go.example.com/tools/extra", "https://git.example.com/extra"],
      ["go.example.com/libs/{name}", "https://git.example.com/libs/{name}"],
      ["go.example.com/libs/special", "https://git.example.com/special"],
      ["go.example.com/a/{x}/c", "https://git.example.com/deep/{x}"],
      ["go.example.com/a/b", "https://git.example.com/ab"],
      ["go.example.com/{org}/{repo}/x", "https://git.example.com/{org}/{repo}"],
    ),
  );

  it("matches a module root with an empty rest", () => {
    expect(resolve(router, "go.example.com/tools")).toEqual({
      root: "go.example.com/tools",
      rest: "",
      goImport: "go.example.com/tools git https://git.example.com/tools",
    });
  });

  it("matches a package deep inside a module", () => {
    expect(resolve(router, "go.example.com/tools/cmd/lint/internal")).toMatchObject({ root: "go.example.com/tools", rest: "cmd/lint/internal" });
  });

  it("matches on element boundaries only", () => {
    expect(resolve(router, "go.example.com/toolsx")).toBeUndefined();
    expect(resolve(router, "go.example.com/tool")).toBeUndefined();
    expect(resolve(router, "go.example.com/tools.v2")).toBeUndefined();
  });

  it("matches elements case-sensitively", () => {
    expect(resolve(router, "go.example.com/Tools")).toBeUndefined();
  });

  it("lets the deepest rule win for nested modules", () => {
    expect(resolve(router, "go.example.com/tools/extra/pkg")).toMatchObject({ root: "go.example.com/tools/extra", rest: "pkg" });
    expect(resolve(router, "go.example.com/tools/extras")).toMatchObject({ root: "go.example.com/tools", rest: "extras" });
  });

  it("serves /v2 through the repository root's tag", () => {
    expect(resolve(router, "go.example.com/tools/v2")).toEqual({
      root: "go.example.com/tools",
      rest: "v2",
      goImport: "go.example.com/tools git https://git.example.com/tools",
    });
    expect(resolve(router, "go.example.com/tools/v2/pkg")).toMatchObject({ root: "go.example.com/tools", rest: "v2/pkg" });
  });

  it("fills template variables into the root and the repo URL", () => {
    expect(resolve(router, "go.example.com/libs/yaml/decoder")).toEqual({
      root: "go.example.com/libs/yaml",
      rest: "decoder",
      goImport: "go.example.com/libs/yaml git https://git.example.com/libs/yaml",
    });
  });

  it("fills several variables in order", () => {
    expect(resolve(router, "go.example.com/acme/widgets/x/pkg")).toEqual({
      root: "go.example.com/acme/widgets/x",
      rest: "pkg",
      goImport: "go.example.com/acme/widgets/x git https://git.example.com/acme/widgets",
    });
  });

  it("needs a value for every variable", () => {
    expect(resolve(router, "go.example.com/libs")).toBeUndefined();
  });

  it("lets a literal beat a template of the same length", () => {
    expect(resolve(router, "go.example.com/libs/special/pkg")).toMatchObject({
      root: "go.example.com/libs/special",
      goImport: "go.example.com/libs/special git https://git.example.com/special",
    });
    expect(resolve(router, "go.example.com/libs/specialx")).toMatchObject({ root: "go.example.com/libs/specialx" });
  });

  it("lets a deeper template beat a shallower literal", () => {
    expect(resolve(router, "go.example.com/a/b/c")).toMatchObject({
      root: "go.example.com/a/b/c",
      goImport: "go.example.com/a/b/c git https://git.example.com/deep/b",
    });
    expect(resolve(router, "go.example.com/a/b/d")).toMatchObject({ root: "go.example.com/a/b", rest: "d" });
  });

  it("answers the same tag for every path inside one module root", () => {
    const tags = ["go.example.com/libs/yaml", "go.example.com/libs/yaml/a", "go.example.com/libs/yaml/a/b/v2"].map((p) => resolve(router, p)?.goImport);
    expect(new Set(tags)).toEqual(new Set(["go.example.com/libs/yaml git https://git.example.com/libs/yaml"]));
  });

  it("finds nothing above every rule", () => {
    expect(resolve(router, "go.example.com/a")).toBeUndefined();
    expect(router.routesFor("go.example.com")!.match([])).toBeUndefined();
  });
});

describe("hosts", () => {
  const twoHosts = routerFor(modulesYaml(["go.example.com/tools", "https://git.example.com/tools"], ["go.other.org/x", "https://github.com/acme/x"]));
  const oneHost = routerFor(modulesYaml(["go.example.com/tools", "https://git.example.com/tools"]));

  it("finds a host case-insensitively and ignores the port", () => {
    for (const header of ["go.example.com", "GO.EXAMPLE.COM", "Go.Example.Com:8443", "go.example.com:80"]) {
      expect(twoHosts.routesFor(header)?.host, header).toBe("go.example.com");
    }
    expect(twoHosts.routesFor("go.other.org:443")?.host).toBe("go.other.org");
  });

  it("keeps the prefix from the config whatever the Host header says", () => {
    expect(resolve(twoHosts, "go.example.com/tools/pkg", "GO.EXAMPLE.COM:8443")?.goImport).toBe("go.example.com/tools git https://git.example.com/tools");
  });

  it("serves each host's own modules only", () => {
    expect(resolve(twoHosts, "go.example.com/x", "go.example.com")).toBeUndefined();
    expect(resolve(twoHosts, "go.other.org/tools", "go.other.org")).toBeUndefined();
    expect(resolve(twoHosts, "go.other.org/x/y")).toMatchObject({ root: "go.other.org/x", rest: "y" });
  });

  it("with several hosts, an unknown or missing Host gets nothing", () => {
    expect(twoHosts.routesFor("unknown.example.net")).toBeUndefined();
    expect(twoHosts.routesFor("go.example.com.evil.net")).toBeUndefined();
    expect(twoHosts.routesFor("")).toBeUndefined();
    expect(twoHosts.routesFor(undefined)).toBeUndefined();
    expect(twoHosts.routesFor(null)).toBeUndefined();
  });

  it("with one host, any Host is answered as that host", () => {
    for (const header of ["127.0.0.1:8080", "localhost", "internal.lan", "", undefined, null]) {
      expect(oneHost.routesFor(header)?.host, String(header)).toBe("go.example.com");
    }
    expect(resolve(oneHost, "go.example.com/tools/pkg", "127.0.0.1:8080")?.goImport).toBe("go.example.com/tools git https://git.example.com/tools");
  });

  it.each([
    ["go.example.com", "go.example.com"],
    ["Go.Example.COM:443", "go.example.com"],
    ["go.example.com:", "go.example.com"],
    ["[::1]:8080", "[::1]"],
    ["[::1]", "[::1]"],
    ["127.0.0.1:80", "127.0.0.1"],
  ])("normalizeHost(%j) = %j", (header, host) => {
    expect(normalizeHost(header)).toBe(host);
  });
});

describe("per-request cost does not grow with the number of modules", () => {
  const COUNT = 5000;

  const literal = (i: number) => compiledModule(`go.example.com/m${i}`, { repo: `https://git.example.com/m${i}` });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it(`finds the right one of ${COUNT} literal modules without walking the module list`, () => {
    let reads = 0;
    let counting = false;
    const modules = new Proxy(
      Array.from({ length: COUNT }, (_, i) => literal(i)),
      {
        get(target, key, receiver) {
          if (counting) reads++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      },
    );
    const router = new Router(handBuilt(modules));
    const resolveSpy = vi.spyOn(Rule.prototype, "resolve");

    counting = true;
    for (const i of [0, 1234, COUNT - 1]) {
      expect(resolve(router, `go.example.com/m${i}/pkg`)).toEqual({
        root: `go.example.com/m${i}`,
        rest: "pkg",
        goImport: `go.example.com/m${i} git https://git.example.com/m${i}`,
      });
    }
    expect(resolve(router, `go.example.com/m${COUNT}`)).toBeUndefined();
    counting = false;

    // Requests never touch the configured module list, and resolve one rule each.
    expect(reads).toBe(0);
    expect(resolveSpy).toHaveBeenCalledTimes(3);
  });
});

describe("compiled clone URLs", () => {
  function reposFor(gitlab: string, modules: string): string[] {
    return compileConfig(`gitlab:\n${gitlab}modules:\n${modules}`, "urls.yaml").modules.map((m) => m.repo);
  }
  const project = (path: string, name: string, transport?: string) =>
    `  - path: go.example.com/${path}\n    project: ${name}\n` + (transport ? `    transport: ${transport}\n` : "");

  it("https: <gitlab.url>/<project>.git", () => {
    expect(reposFor("  url: https://gitlab.example.com\n", project("a", "platform/devtools/tools"))).toEqual([
      "https://gitlab.example.com/platform/devtools/tools.git",
    ]);
  });

  it("https: keeps a path prefix of gitlab.url and drops its trailing slash; http allowed", () => {
    expect(reposFor("  url: https://example.com/gitlab/\n", project("a", "g/p"))).toEqual(["https://example.com/gitlab/g/p.git"]);
    expect(reposFor("  url: http://gitlab.lan:8080\n", project("a", "g/p"))).toEqual(["http://gitlab.lan:8080/g/p.git"]);
  });

  it("ssh on port 22: ssh://git@host/<project>.git, host from gitlab.url", () => {
    expect(reposFor("  url: https://gitlab.example.com:8443\n  ssh:\n    port: 22\n", project("a", "g/sub/p", "ssh"))).toEqual([
      "ssh://git@gitlab.example.com/g/sub/p.git",
    ]);
  });

  it("ssh on another port: the port appears in the URL", () => {
    expect(reposFor("  url: https://gitlab.example.com\n  ssh:\n    port: 2222\n", project("a", "g/p", "ssh"))).toEqual([
      "ssh://git@gitlab.example.com:2222/g/p.git",
    ]);
  });

  it("ssh with its own user and host", () => {
    expect(reposFor("  url: https://gitlab.example.com\n  ssh:\n    user: gitlab\n    host: ssh.gitlab.example.com\n", project("a", "g/p", "ssh"))).toEqual([
      "ssh://gitlab@ssh.gitlab.example.com/g/p.git",
    ]);
  });

  it("gitlab.transport is the default, a module's transport overrides it", () => {
    expect(reposFor("  url: https://gitlab.example.com\n  transport: ssh\n", project("a", "g/a") + project("b", "g/b", "https"))).toEqual([
      "ssh://git@gitlab.example.com/g/a.git",
      "https://gitlab.example.com/g/b.git",
    ]);
  });

  it("template projects keep their variables for the router to fill", () => {
    expect(reposFor("  url: https://gitlab.example.com\n", project("libs/{name}", "platform/libs/{name}", "ssh"))).toEqual([
      "ssh://git@gitlab.example.com/platform/libs/{name}.git",
    ]);
  });

  it("never produces the scp form git@host:path", () => {
    const repos = reposFor(
      "  url: https://gitlab.example.com\n  ssh:\n    port: 2222\n",
      project("a", "g/a", "ssh") + project("b", "g/b", "https") + project("c/{x}", "g/{x}", "ssh"),
    );
    for (const repo of repos) {
      expect(repo).toMatch(/^(https|ssh):\/\//);
      expect(repo).not.toMatch(/^[^/]*@[^/]*:(?!\d+\/)/);
    }
  });
});

it("refuses a compiled config of another format", () => {
  const stale = { ...handBuilt([]), format: COMPILED_FORMAT + 1 } as unknown as CompiledConfig;
  expect(() => new Router(stale)).toThrow(/format/);
});
