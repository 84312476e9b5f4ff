// Every kind of config problem, with the exact file:line:col it is reported
// at. Each YAML text below is small enough to count its lines by eye: line 1 is
// the first line after the opening backtick.
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

interface Want {
  line: number;
  col: number;
  message: string | RegExp;
}

function expectProblems(text: string, wants: Want[]): void {
  const got = problemsOf(text);
  const listed = got.map((p) => `${p.line}:${p.col}: ${p.message}`).join("\n");
  expect(got.length, `problems for\n${text}\nwere\n${listed}`).toBe(wants.length);
  wants.forEach((want, i) => {
    const p = got[i]!;
    expect(p.file).toBe(FILE);
    expect({ line: p.line, col: p.col }, p.message).toEqual({ line: want.line, col: want.col });
    if (typeof want.message === "string") expect(p.message).toContain(want.message);
    else expect(p.message).toMatch(want.message);
  });
}

interface Case extends Want {
  name: string;
  text: string;
}

function runCases(cases: Case[]): void {
  it.each(cases)("$name", ({ text, line, col, message }) => {
    expectProblems(text, [{ line, col, message }]);
  });
}

describe("config errors: YAML and document shape", () => {
  runCases([
    {
      name: "YAML syntax error",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: "https://git.example.com/x
      `,
      line: 4,
      col: 1,
      message: /^YAML: Missing closing "quote/,
    },
    {
      name: "tab indentation",
      text: "modules:\n\t- path: go.example.com/x\n",
      line: 2,
      col: 1,
      message: /^YAML: .*[Tt]ab/,
    },
    {
      name: "duplicate key",
      text: yaml`
        modules:
          - path: go.example.com/x
            path: go.example.com/y
            repo: https://git.example.com/x
      `,
      line: 3,
      col: 5,
      message: /^YAML: Map keys must be unique/,
    },
    {
      name: "a list instead of a mapping",
      text: yaml`
        - path: go.example.com/x
          repo: https://git.example.com/x
      `,
      line: 1,
      col: 1,
      message: "the config must be a mapping",
    },
    { name: "a scalar document", text: "just text\n", line: 1, col: 1, message: "the config must be a mapping" },
    { name: "an empty file", text: "", line: 1, col: 1, message: "the config must be a mapping" },
    {
      name: "no modules key",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
      `,
      line: 1,
      col: 1,
      message: "missing required key modules:",
    },
    {
      name: "an empty module list",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules: []
      `,
      line: 3,
      col: 10,
      message: "list at least one module",
    },
    {
      name: "modules is a mapping, not a list",
      text: yaml`
        modules:
          path: go.example.com/x
      `,
      line: 2,
      col: 3,
      message: /^modules: .*expected array/,
    },
    {
      name: "a module that is not a mapping",
      text: yaml`
        modules:
          - go.example.com/x
      `,
      line: 2,
      col: 5,
      message: /^modules\[0\]: .*expected object/,
    },
  ]);
});

describe("config errors: unknown keys", () => {
  it("unknown top-level key: did you mean, and the key it hides is missing", () => {
    expectProblems(
      yaml`
        gitlab:
          url: https://gitlab.example.com
        modlues:
          - path: go.example.com/x
            project: a/b
      `,
      [
        { line: 1, col: 1, message: "missing required key modules:" },
        { line: 3, col: 1, message: 'unknown key "modlues" in the top level: did you mean modules?' },
      ],
    );
  });

  runCases([
    {
      name: "unknown module key: did you mean transport?",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/x
            project: a/b
            trasport: ssh
      `,
      line: 6,
      col: 5,
      message: 'unknown key "trasport" in modules[0]: did you mean transport?',
    },
    {
      name: "unknown module key far from any: lists the known keys",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: https://git.example.com/x
            zzzzzzzz: 1
      `,
      line: 4,
      col: 5,
      message: /unknown key "zzzzzzzz" in modules\[0\]: known keys: .*path.*project.*repo/,
    },
    {
      name: "unknown gitlab key",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
          trnsport: ssh
        modules:
          - path: go.example.com/x
            project: a/b
      `,
      line: 3,
      col: 3,
      message: 'unknown key "trnsport" in gitlab: did you mean transport?',
    },
    {
      name: "unknown gitlab.ssh key",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
          ssh:
            prot: 2222
        modules:
          - path: go.example.com/x
            project: a/b
      `,
      line: 4,
      col: 5,
      message: 'unknown key "prot" in gitlab.ssh: did you mean port?',
    },
  ]);

  it("a typo'd key does not hide the module's other problems", () => {
    expectProblems(
      yaml`
        modules:
          - path: go.example.com/x
            repo: git@github.com:acme/x.git
            brnch: main
      `,
      [
        { line: 3, col: 11, message: "scp form" },
        { line: 4, col: 5, message: "did you mean branch?" },
      ],
    );
  });
});

describe("config errors: missing and conflicting fields", () => {
  runCases([
    {
      name: "missing path",
      text: yaml`
        modules:
          - repo: https://git.example.com/x
      `,
      line: 2,
      col: 5,
      message: "missing required key path: in modules[0]",
    },
    {
      name: "missing project and repo",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/x
      `,
      line: 4,
      col: 5,
      message: "missing project: (a GitLab project path) or repo: (a repository URL)",
    },
    {
      name: "project and repo together",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/x
            project: a/b
            repo: https://github.com/a/b
      `,
      line: 6,
      col: 5,
      message: "use project: (a GitLab project) or repo: (any repository URL), not both",
    },
    {
      name: "vcs with project",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/x
            project: a/b
            vcs: hg
      `,
      line: 6,
      col: 5,
      message: "vcs: applies to repo: modules",
    },
    {
      name: "branch with repo",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: https://github.com/a/b
            branch: dev
      `,
      line: 4,
      col: 5,
      message: "branch: applies to project: modules",
    },
    {
      name: "transport with repo",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: https://github.com/a/b
            transport: ssh
      `,
      line: 4,
      col: 5,
      message: "transport: applies to project: modules",
    },
    {
      name: "browser: gitlab with repo",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: https://github.com/a/b
            browser: gitlab
      `,
      line: 4,
      col: 5,
      message: "browser: gitlab needs a project:",
    },
    {
      name: "project without a gitlab: section",
      text: yaml`
        modules:
          - path: go.example.com/x
            project: a/b
      `,
      line: 3,
      col: 5,
      message: "project: needs a gitlab: section to build clone URLs",
    },
    {
      name: "ssh transport without a gitlab: section",
      text: yaml`
        modules:
          - path: go.example.com/x
            project: a/b
            transport: ssh
      `,
      line: 3,
      col: 5,
      message: "project: needs a gitlab: section to build an ssh URL",
    },
  ]);
});

describe("config errors: template variables", () => {
  runCases([
    {
      name: "variable of path not used in project",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/libs/{name}
            project: platform/libs
      `,
      line: 5,
      col: 14,
      message: "project must use {name}",
    },
    {
      name: "variable in project that path does not have",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/libs/x
            project: platform/{name}
      `,
      line: 5,
      col: 14,
      message: "project: {name} is not a variable of path (path has no variables)",
    },
    {
      name: "partial variable element",
      text: yaml`
        modules:
          - path: go.example.com/lib-{x}
            repo: https://github.com/acme/{x}
      `,
      line: 2,
      col: 11,
      message: "a template variable must be a whole path element",
    },
    {
      name: "the same variable twice",
      text: yaml`
        modules:
          - path: go.example.com/{x}/{x}
            repo: https://github.com/acme/{x}
      `,
      line: 2,
      col: 11,
      message: "variable {x} appears twice",
    },
  ]);
});

describe("config errors: template variables in repo", () => {
  it("a repo with another variable than path's: both sides reported", () => {
    expectProblems(
      yaml`
        modules:
          - path: go.example.com/libs/{name}
            repo: https://github.com/acme/{other}
      `,
      [
        { line: 3, col: 11, message: "repo: {other} is not a variable of path (path has {name})" },
        { line: 3, col: 11, message: "repo must use {name}" },
      ],
    );
  });
});

describe("config errors: module paths", () => {
  /** A one-module config whose path is `path`, with the problem on line 2, col 11. */
  function withPath(path: string): string {
    return `modules:\n  - path: ${path}\n    repo: https://github.com/acme/x\n`;
  }

  it.each([
    ["upper-case host", "Go.example.com/x", 'invalid host "Go.example.com"'],
    ["host without a dot", "localhost/x", 'host "localhost" has no dot'],
    ["host with a port", "go.example.com:8080/x", "invalid host"],
    ["bad element: trailing dot", "go.example.com/a.", "is not a valid Go import path: trailing dot"],
    ["bad element: ..", "go.example.com/../x", "is not a valid Go import path"],
    ["bad element: Windows name", "go.example.com/aux.go", "disallowed as path element component on Windows"],
    ["bad element: short name", "go.example.com/foo~1", "trailing tilde and digits"],
    ["bad element: space", '"go.example.com/a b"', "invalid character"],
    ["empty element", "go.example.com//x", "empty path element"],
    ["only a host", "go.example.com", "needs at least one element after the host"],
    ["a URL instead of a path", "https://go.example.com/x", "path is an import path, not a URL"],
    ["reserved /-/", "go.example.com/-/x", "go.example.com/-/ is reserved for the service"],
  ])("%s", (_name, path, message) => {
    expectProblems(withPath(path), [{ line: 2, col: 11, message }]);
  });
});

describe("config errors: duplicate rules", () => {
  runCases([
    {
      name: "literal duplicate",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: https://github.com/acme/x
          - path: go.example.com/x
            repo: https://github.com/acme/y
      `,
      line: 4,
      col: 11,
      message: "duplicate rule: go.example.com/x matches the same import paths as go.example.com/x (test.yaml:2)",
    },
    {
      name: "templates that differ only in variable names",
      text: yaml`
        modules:
          - path: go.example.com/a/{x}
            repo: https://github.com/acme/{x}
          - path: go.example.com/a/{y}
            repo: https://github.com/other/{y}
      `,
      line: 4,
      col: 11,
      message: "duplicate rule: go.example.com/a/{y} matches the same import paths as go.example.com/a/{x} (test.yaml:2)",
    },
  ]);

  it("a literal and a template of the same shape are not duplicates", () => {
    const config = compileConfig(
      yaml`
        modules:
          - path: go.example.com/a/{x}
            repo: https://github.com/acme/{x}
          - path: go.example.com/a/b
            repo: https://github.com/acme/b
      `,
      FILE,
    );
    expect(config.modules.map((m) => m.pattern)).toEqual(["go.example.com/a/{x}", "go.example.com/a/b"]);
  });
});

describe("config errors: repository URLs and gitlab:", () => {
  runCases([
    {
      name: "scp-style repo: suggests the ssh:// form",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: git@github.com:acme/x.git
      `,
      line: 3,
      col: 11,
      message: "is in scp form, which the go command rejects: write ssh://git@github.com/acme/x.git",
    },
    {
      name: "file: repo",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: file:///srv/git/x.git
      `,
      line: 3,
      col: 11,
      message: "file: URLs are refused by the go command",
    },
    {
      name: "repo that is not a URL",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: github.com/acme/x
      `,
      line: 3,
      col: 11,
      message: "is not a URL",
    },
    {
      name: "repo with an unsupported scheme",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: ftp://git.example.com/x
      `,
      line: 3,
      col: 11,
      message: "use an https://, http:// or ssh:// URL",
    },
    {
      name: "bad gitlab.url",
      text: yaml`
        gitlab:
          url: not a url
        modules:
          - path: go.example.com/x
            project: a/b
      `,
      line: 2,
      col: 8,
      message: 'gitlab.url "not a url" is not a URL',
    },
    {
      name: "gitlab.url with another scheme",
      text: yaml`
        gitlab:
          url: ssh://gitlab.example.com
        modules:
          - path: go.example.com/x
            project: a/b
      `,
      line: 2,
      col: 8,
      message: "gitlab.url must start with https://",
    },
    {
      name: "gitlab.url with credentials",
      text: yaml`
        gitlab:
          url: https://user:secret@gitlab.example.com
        modules:
          - path: go.example.com/x
            project: a/b
      `,
      line: 2,
      col: 8,
      message: "gitlab.url must not carry credentials",
    },
    {
      name: "gitlab.ssh.host with a user",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
          ssh:
            host: git@gitlab.example.com
        modules:
          - path: go.example.com/x
            project: a/b
      `,
      line: 4,
      col: 11,
      message: "gitlab.ssh.host",
    },
    {
      name: "project with .git",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/x
            project: platform/x.git
      `,
      line: 5,
      col: 14,
      message: 'leave off ".git"',
    },
    {
      name: "project without its group",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/x
            project: tools
      `,
      line: 5,
      col: 14,
      message: "needs its group",
    },
    {
      name: "bad branch",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/x
            project: a/b
            branch: feat..x
      `,
      line: 6,
      col: 13,
      message: 'branch "feat..x" is not a branch name',
    },
    {
      name: "bad subdir",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/x
            project: a/b
            subdir: /sdk/go
      `,
      line: 6,
      col: 13,
      message: 'subdir "/sdk/go"',
    },
  ]);
});

describe("config errors: types and enums", () => {
  runCases([
    {
      name: "wrong enum value",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/x
            project: a/b
            transport: ftp
      `,
      line: 6,
      col: 16,
      message: /^modules\[0\]\.transport: .*"https"\|"ssh"/,
    },
    {
      name: "wrong browser",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: https://github.com/a/b
            browser: godoc
      `,
      line: 4,
      col: 14,
      message: /^modules\[0\]\.browser: .*"pkgsite"\|"gitlab"\|"none"/,
    },
    {
      name: 'wrong type: port: "22"',
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
          ssh:
            port: "22"
        modules:
          - path: go.example.com/x
            project: a/b
      `,
      line: 4,
      col: 11,
      message: /^gitlab\.ssh\.port: .*expected number, received string/,
    },
    {
      name: "port out of range",
      text: yaml`
        gitlab:
          url: https://gitlab.example.com
          ssh:
            port: 70000
        modules:
          - path: go.example.com/x
            project: a/b
      `,
      line: 4,
      col: 11,
      message: /^gitlab\.ssh\.port: /,
    },
    {
      name: "wrong type: private",
      text: yaml`
        modules:
          - path: go.example.com/x
            repo: https://github.com/a/b
            private: "yes"
      `,
      line: 4,
      col: 14,
      message: /^modules\[0\]\.private: .*expected boolean/,
    },
    {
      name: "negative cacheMaxAge",
      text: yaml`
        cacheMaxAge: -1
        modules:
          - path: go.example.com/x
            repo: https://github.com/a/b
      `,
      line: 1,
      col: 14,
      message: /^cacheMaxAge: /,
    },
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
      { line: 4, col: 11, message: 'invalid host "Go.example.com"' },
      { line: 8, col: 5, message: "did you mean transport?" },
      { line: 10, col: 11, message: "scp form" },
      { line: 13, col: 14, message: "browser" },
    ]);
  });

  it("formats each problem as file:line:col: message, one per line", () => {
    const lines = configError(fourProblems).message.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^test\.yaml:4:11: path "Go\.example\.com\/y": invalid host/);
    expect(lines[1]).toMatch(/^test\.yaml:8:5: unknown key "trasport"/);
    expect(lines[2]).toMatch(/^test\.yaml:10:11: repo /);
    expect(lines[3]).toMatch(/^test\.yaml:13:14: modules\[3\]\.browser: /);
  });

  it("reports problems in the gitlab: section together with the modules'", () => {
    expectProblems(
      yaml`
        gitlab:
          url: https://gitlab.example.com
          trnsport: ssh
        modules:
          - path: go.example.com/x
            project: a/b
          - path: go.example.com/x
            project: a/c
      `,
      [
        { line: 3, col: 3, message: "did you mean transport?" },
        { line: 7, col: 11, message: "duplicate rule" },
      ],
    );
  });

  // Bug: a problem in a top-level value (here cacheMaxAge) makes the loader
  // drop the gitlab: settings, so project: modules are not compiled and their
  // duplicate goes unreported until the first problem is fixed.
  it.fails("reports a duplicate rule together with a bad cacheMaxAge", () => {
    expectProblems(
      yaml`
        cacheMaxAge: -1
        gitlab:
          url: https://gitlab.example.com
        modules:
          - path: go.example.com/x
            project: a/b
          - path: go.example.com/x
            project: a/c
      `,
      [
        { line: 1, col: 14, message: "cacheMaxAge" },
        { line: 7, col: 11, message: "duplicate rule" },
      ],
    );
  });
});

describe("config: what compiles", () => {
  it("the example config/modgate.yaml shape compiles with defaults filled in", () => {
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
    const config = compileConfig("modules:\n  - path: go.example.com/x\n    repo: https://github.com/a/b\n    private: true\n", FILE);
    expect(config.modules[0]!.browser).toBe("none");
  });
});
