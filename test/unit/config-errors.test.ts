// Every kind of config problem, with the exact file:line:col it is reported
// at. The YAML texts are small enough to count lines by eye: in a yaml`…`
// text, line 1 is the first line after the opening backtick; the skeletons
// below (projectModule, repoModule, withGitlab) document their own lines.
import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { ConfigError, type LocatedProblem } from "../../src/config/problems.js";

const FILE = "test.yaml";

/** Removes the first newline and the indentation common to all lines. */
function yaml(strings: TemplateStringsArray): string {
  const lines = strings.raw.join("").replace(/^\n/, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join("\n");
}

const lines = (...ls: string[]) => ls.map((l) => l + "\n").join("");

/**
 * One GitLab project module, then `extra` module keys:
 *   1 gitlab:
 *   2   url: https://gitlab.example.com
 *   3 modules:
 *   4   - path: go.example.com/x            (value at col 11)
 *   5     project: a/b                      (value at col 14)
 *   6     <extra[0]>                        (key at col 5)
 */
function projectModule(...extra: string[]): string {
  return lines("gitlab:", "  url: https://gitlab.example.com", "modules:", "  - path: go.example.com/x", "    project: a/b", ...extra.map((e) => "    " + e));
}

/**
 * One repo: module, then `extra` module keys:
 *   1 modules:
 *   2   - path: go.example.com/x            (value at col 11)
 *   3     repo: https://github.com/acme/x   (value at col 11)
 *   4     <extra[0]>                        (key at col 5)
 */
function repoModule(...extra: string[]): string {
  return lines("modules:", "  - path: go.example.com/x", "    repo: https://github.com/acme/x", ...extra.map((e) => "    " + e));
}

/**
 * A gitlab: section made of `section` lines (line 2 onwards), then one project module.
 *   1 gitlab:
 *   2 <section[0]>
 */
function withGitlab(...section: string[]): string {
  return lines("gitlab:", ...section, "modules:", "  - path: go.example.com/x", "    project: a/b");
}

/** The ConfigError compileConfig throws for `text`; fails when it compiles. */
function configError(text: string): ConfigError {
  try {
    compileConfig(text, FILE);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected a ConfigError, but the config compiled:\n${text}`);
}

function problemsOf(text: string): LocatedProblem[] {
  return [...configError(text).problems];
}

/** "line:col" and the message (a substring, or a RegExp) of one expected problem. */
type Want = [at: string, message: string | RegExp];

function expectProblems(text: string, wants: Want[]): void {
  const got = problemsOf(text);
  const listed = got.map((p) => `${p.line}:${p.col}: ${p.message}`).join("\n");
  expect(got.length, `problems for\n${text}\nwere\n${listed}`).toBe(wants.length);
  wants.forEach(([at, message], i) => {
    const p = got[i]!;
    expect(p.file).toBe(FILE);
    expect(`${p.line}:${p.col}`, p.message).toBe(at);
    if (typeof message === "string") expect(p.message).toContain(message);
    else expect(p.message).toMatch(message);
  });
}

/** One test per row: [name, YAML text, "line:col", message]. */
function runCases(cases: Array<[name: string, text: string, at: string, message: string | RegExp]>): void {
  it.each(cases)("%s", (_name, text, at, message) => {
    expectProblems(text, [[at, message]]);
  });
}

describe("config errors: YAML and document shape", () => {
  runCases([
    ["YAML syntax error", lines("modules:", "  - path: go.example.com/x", '    repo: "https://git.example.com/x'), "4:1", /^YAML: Missing closing "quote/],
    ["tab indentation", lines("modules:", "\t- path: go.example.com/x"), "2:1", /^YAML: .*[Tt]ab/],
    ["duplicate key", repoModule("path: go.example.com/y"), "4:5", /^YAML: Map keys must be unique/],
    ["a list instead of a mapping", lines("- path: go.example.com/x", "  repo: https://git.example.com/x"), "1:1", "the config must be a mapping"],
    ["a scalar document", "just text\n", "1:1", "the config must be a mapping"],
    ["an empty file", "", "1:1", "the config must be a mapping"],
    ["no modules key", lines("gitlab:", "  url: https://gitlab.example.com"), "1:1", "missing required key modules:"],
    ["an empty module list", lines("cacheMaxAge: 60", "modules: []"), "2:10", "list at least one module"],
    ["modules is a mapping, not a list", lines("modules:", "  path: go.example.com/x"), "2:3", /^modules: .*expected array/],
    ["a module that is not a mapping", lines("modules:", "  - go.example.com/x"), "2:5", /^modules\[0\]: .*expected object/],
  ]);
});

describe("config errors: unknown keys", () => {
  it("unknown top-level key: reported once, as the misspelling of the key it hides", () => {
    expectProblems(
      yaml`
        gitlab:
          url: https://gitlab.example.com
        modlues:
          - path: go.example.com/x
            project: a/b
      `,
      [["3:1", 'unknown key "modlues" in the top level: did you mean modules?']],
    );
  });

  runCases([
    ["unknown module key: did you mean transport?", projectModule("trasport: ssh"), "6:5", 'unknown key "trasport" in modules[0]: did you mean transport?'],
    [
      "unknown module key far from any: lists the known keys",
      repoModule("zzzzzzzz: 1"),
      "4:5",
      /unknown key "zzzzzzzz" in modules\[0\]: known keys: .*path.*project.*repo/,
    ],
    [
      "unknown gitlab key",
      withGitlab("  url: https://gitlab.example.com", "  trnsport: ssh"),
      "3:3",
      'unknown key "trnsport" in gitlab: did you mean transport?',
    ],
    [
      "unknown gitlab.ssh key",
      withGitlab("  url: https://gitlab.example.com", "  ssh:", "    prot: 2222"),
      "4:5",
      'unknown key "prot" in gitlab.ssh: did you mean port?',
    ],
  ]);

  it("a typo'd key does not hide the module's other problems", () => {
    expectProblems(lines("modules:", "  - path: go.example.com/x", "    repo: git@github.com:acme/x.git", "    brnch: main"), [
      ["3:11", "scp form"],
      ["4:5", "did you mean branch?"],
    ]);
  });
});

describe("config errors: missing and conflicting fields", () => {
  runCases([
    ["missing path", lines("modules:", "  - repo: https://git.example.com/x"), "2:5", "missing required key path: in modules[0]"],
    [
      "missing project and repo",
      lines("gitlab:", "  url: https://gitlab.example.com", "modules:", "  - path: go.example.com/x"),
      "4:5",
      /^missing project: \(a GitLab project path\).* or repo: \(a repository URL\)/,
    ],
    [
      "project and repo together",
      projectModule("repo: https://github.com/a/b"),
      "6:5",
      /^use .*project: \(a GitLab project\).* or repo: \(any repository URL\), not /,
    ],
    ["vcs with project", projectModule("vcs: hg"), "6:5", "vcs: applies to repo: modules"],
    ["branch with repo", repoModule("branch: dev"), "4:5", "branch: applies to project: modules"],
    ["transport with repo", repoModule("transport: ssh"), "4:5", "transport: applies to project: modules"],
    ["browser: gitlab with repo", repoModule("browser: gitlab"), "4:5", "browser: gitlab needs a project:"],
    [
      "project without a gitlab: section",
      lines("modules:", "  - path: go.example.com/x", "    project: a/b"),
      "3:5",
      "project: needs a gitlab: section to build clone URLs",
    ],
    [
      "ssh transport without a gitlab: section",
      lines("modules:", "  - path: go.example.com/x", "    project: a/b", "    transport: ssh"),
      "3:5",
      "project: needs a gitlab: section to build an ssh URL",
    ],
  ]);
});

describe("config errors: template variables", () => {
  /** A module with `path` on line 2 (value at col 11) and `repo` on line 3 (value at col 11). */
  const template = (path: string, repo: string) => lines("modules:", `  - path: ${path}`, `    repo: ${repo}`);

  runCases([
    [
      "variable of path not used in project",
      lines("gitlab:", "  url: https://gitlab.example.com", "modules:", "  - path: go.example.com/libs/{name}", "    project: platform/libs"),
      "5:14",
      "project must use {name}",
    ],
    [
      "variable in project that path does not have",
      lines("gitlab:", "  url: https://gitlab.example.com", "modules:", "  - path: go.example.com/libs/x", "    project: platform/{name}"),
      "5:14",
      "project: {name} is not a variable of path (path has no variables)",
    ],
    ["partial variable element", template("go.example.com/lib-{x}", "https://github.com/acme/{x}"), "2:11", "a template variable must be a whole path element"],
    ["the same variable twice", template("go.example.com/{x}/{x}", "https://github.com/acme/{x}"), "2:11", "variable {x} appears twice"],
  ]);

  it("a repo with another variable than path's: both sides reported", () => {
    expectProblems(template("go.example.com/libs/{name}", "https://github.com/acme/{other}"), [
      ["3:11", "repo: {other} is not a variable of path (path has {name})"],
      ["3:11", "repo must use {name}"],
    ]);
  });
});

describe("config errors: module paths", () => {
  /** A one-module config whose path is `path`: the problem is on line 2, col 11. */
  const withPath = (path: string) => lines("modules:", `  - path: ${path}`, "    repo: https://github.com/acme/x");

  it.each([
    ["upper-case host", "Go.example.com/x", 'invalid host "Go.example.com"'],
    ["host without a dot", "localhost/x", 'host "localhost" has no dot'],
    ["host with a port", "go.example.com:8080/x", "invalid host"],
    ["bad element: trailing dot", "go.example.com/a.", "is not a valid Go module path: trailing dot"],
    ["bad element: ..", "go.example.com/../x", "is not a valid Go module path"],
    ["bad element: Windows name", "go.example.com/aux.go", "disallowed as path element component on Windows"],
    ["bad element: short name", "go.example.com/foo~1", "trailing tilde and digits"],
    ["bad element: space", '"go.example.com/a b"', "invalid character"],
    ["empty element", "go.example.com//x", "empty path element"],
    ["only a host", "go.example.com", "needs at least one element after the host"],
    ["a URL instead of a path", "https://go.example.com/x", "path is an import path, not a URL"],
    ["reserved /-/", "go.example.com/-/x", "go.example.com/-/ is reserved for the service"],
  ])("%s", (_name, path, message) => {
    expectProblems(withPath(path), [["2:11", message]]);
  });
});

describe("config errors: duplicate rules", () => {
  /** Two repo: modules: the second one's path is on line 4 (value at col 11). */
  const twoRules = (first: string, firstRepo: string, second: string, secondRepo: string) =>
    lines("modules:", `  - path: ${first}`, `    repo: ${firstRepo}`, `  - path: ${second}`, `    repo: ${secondRepo}`);

  runCases([
    [
      "literal duplicate",
      twoRules("go.example.com/x", "https://github.com/acme/x", "go.example.com/x", "https://github.com/acme/y"),
      "4:11",
      "duplicate rule: go.example.com/x matches the same import paths as go.example.com/x (test.yaml:2)",
    ],
    [
      "templates that differ only in variable names",
      twoRules("go.example.com/a/{x}", "https://github.com/acme/{x}", "go.example.com/a/{y}", "https://github.com/other/{y}"),
      "4:11",
      "duplicate rule: go.example.com/a/{y} matches the same import paths as go.example.com/a/{x} (test.yaml:2)",
    ],
  ]);

  it("a literal and a template of the same shape are not duplicates", () => {
    const config = compileConfig(twoRules("go.example.com/a/{x}", "https://github.com/acme/{x}", "go.example.com/a/b", "https://github.com/acme/b"), FILE);
    expect(config.modules.map((m) => m.pattern)).toEqual(["go.example.com/a/{x}", "go.example.com/a/b"]);
  });
});

describe("config errors: repository URLs and gitlab:", () => {
  /** A repo: module whose repo is on line 3 (value at col 11). */
  const withRepo = (repo: string) => lines("modules:", "  - path: go.example.com/x", `    repo: ${repo}`);

  runCases([
    [
      "scp-style repo: suggests the ssh:// form",
      withRepo("git@github.com:acme/x.git"),
      "3:11",
      "is in scp form, which the go command rejects: write ssh://git@github.com/acme/x.git",
    ],
    ["file: repo", withRepo("file:///srv/git/x.git"), "3:11", "file: URLs are refused by the go command"],
    ["repo that is not a URL", withRepo("github.com/acme/x"), "3:11", "is not a URL"],
    ["repo with an unsupported scheme", withRepo("ftp://git.example.com/x"), "3:11", "use an https://, http:// or ssh:// URL"],
    ["bad gitlab.url", withGitlab("  url: not a url"), "2:8", 'gitlab.url "not a url" is not a URL'],
    ["gitlab.url with another scheme", withGitlab("  url: ssh://gitlab.example.com"), "2:8", "gitlab.url must start with https://"],
    ["gitlab.url with credentials", withGitlab("  url: https://user:secret@gitlab.example.com"), "2:8", "gitlab.url must not carry credentials"],
    ["gitlab.ssh.host with a user", withGitlab("  url: https://gitlab.example.com", "  ssh:", "    host: git@gitlab.example.com"), "4:11", "gitlab.ssh.host"],
    ["project with .git", projectModule().replace("project: a/b", "project: a/b.git"), "5:14", 'leave off ".git"'],
    ["project without its group", projectModule().replace("project: a/b", "project: tools"), "5:14", "needs its group"],
    ["bad branch", projectModule("branch: feat..x"), "6:13", 'branch "feat..x" is not a branch name'],
    ["bad subdir", projectModule("subdir: /sdk/go"), "6:13", 'subdir "/sdk/go"'],
  ]);
});

describe("config errors: types and enums", () => {
  runCases([
    ["wrong enum value", projectModule("transport: ftp"), "6:16", /^modules\[0\]\.transport: .*"https"\|"ssh"/],
    ["wrong browser", repoModule("browser: godoc"), "4:14", /^modules\[0\]\.browser: .*"pkgsite"\|"gitlab"\|"none"/],
    [
      'wrong type: port: "22"',
      withGitlab("  url: https://gitlab.example.com", "  ssh:", '    port: "22"'),
      "4:11",
      /^gitlab\.ssh\.port: .*expected number, received string/,
    ],
    ["port out of range", withGitlab("  url: https://gitlab.example.com", "  ssh:", "    port: 70000"), "4:11", /^gitlab\.ssh\.port: /],
    ["wrong type: private", repoModule('private: "yes"'), "4:14", /^modules\[0\]\.private: .*expected boolean/],
    ["negative cacheMaxAge", "cacheMaxAge: -1\n" + repoModule(), "1:14", /^cacheMaxAge: /],
  ]);
});

describe("config errors: all at once", () => {
  const fourProblems = yaml`
    gitlab:
      url: https://gitlab.example.com
    modules:
      - path: Go.example.com/y
        repo: https://github.com/acme/y
      - path: go.example.com/x
        project: a/b
        trasport: ssh
      - path: go.example.com/z
        repo: git@github.com:acme/z.git
      - path: go.example.com/w
        project: platform/w
        browser: web
  `;

  it("reports 4 problems on 4 lines, sorted by line", () => {
    expectProblems(fourProblems, [
      ["4:11", 'invalid host "Go.example.com"'],
      ["8:5", "did you mean transport?"],
      ["10:11", "scp form"],
      ["13:14", "browser"],
    ]);
  });

  it("formats each problem as file:line:col: message, one per line", () => {
    const messageLines = configError(fourProblems).message.split("\n");
    expect(messageLines).toHaveLength(4);
    expect(messageLines[0]).toMatch(/^test\.yaml:4:11: path "Go\.example\.com\/y": invalid host/);
    expect(messageLines[1]).toMatch(/^test\.yaml:8:5: unknown key "trasport"/);
    expect(messageLines[2]).toMatch(/^test\.yaml:10:11: repo /);
    expect(messageLines[3]).toMatch(/^test\.yaml:13:14: modules\[3\]\.browser: /);
  });

  const duplicateProjects = lines("modules:", "  - path: go.example.com/x", "    project: a/b", "  - path: go.example.com/x", "    project: a/c");

  it("reports problems in the gitlab: section together with the modules'", () => {
    expectProblems(lines("gitlab:", "  url: https://gitlab.example.com", "  trnsport: ssh") + duplicateProjects, [
      ["3:3", "did you mean transport?"],
      ["7:11", "duplicate rule"],
    ]);
  });

  // Bug: a problem in a top-level value (here cacheMaxAge) makes the loader
  // drop the gitlab: settings, so project: modules are not compiled and their
  // duplicate goes unreported until the first problem is fixed.
  it("reports a duplicate rule together with a bad cacheMaxAge", () => {
    expectProblems("cacheMaxAge: -1\n" + lines("gitlab:", "  url: https://gitlab.example.com") + duplicateProjects, [
      ["1:14", "cacheMaxAge"],
      ["7:11", "duplicate rule"],
    ]);
  });
});

describe("config: what compiles", () => {
  it("fills in defaults", () => {
    const config = compileConfig(
      yaml`
        gitlab:
          url: https://gitlab.example.com/
        modules:
          - path: go.example.com/tools
            project: platform/devtools/tools
            private: true
          - path: go.other.org/x
            repo: https://github.com/acme/x
      `,
      FILE,
    );
    expect(config.cacheMaxAge).toBe(3600);
    expect(config.modules).toMatchObject([
      {
        pattern: "go.example.com/tools",
        host: "go.example.com",
        elements: ["tools"],
        vcs: "git",
        private: true,
        browser: "gitlab",
        source: "test.yaml:4",
        gitlab: { web: "https://gitlab.example.com/platform/devtools/tools", branch: "main" },
      },
      { pattern: "go.other.org/x", host: "go.other.org", vcs: "git", private: false, browser: "pkgsite", source: "test.yaml:7" },
    ]);
    expect(config.modules[1]).not.toHaveProperty("gitlab");
  });

  it("a private repo: module defaults to browser: none", () => {
    expect(compileConfig(repoModule("private: true"), FILE).modules[0]!.browser).toBe("none");
  });
});
