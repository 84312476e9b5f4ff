// What the demo serves: two Go modules in a GitLab-like local server, and the
// modgate config that maps a vanity host onto them. One is a `project:` rule
// (a project in a nested subgroup), the other is found below a `group:` rule
// through the GitLab API, so the demo shows both ways modgate answers.
import type { RepoSpec, StandInProject } from "../../test/e2e/harness/index.js";

export const VANITY_HOST = "go.example.com";

export interface DemoModule {
  /** The module path users `go get`. */
  path: string;
  /** Its GitLab project. */
  project: string;
  version: string;
  repo: RepoSpec;
}

function goMod(path: string): string {
  return `module ${path}\n\ngo 1.21\n`;
}

const GREET = `${VANITY_HOST}/greet`;
const COLOR = `${VANITY_HOST}/oss/cli/color`;

export const DEMO_MODULES: readonly DemoModule[] = [
  {
    path: GREET,
    project: "demo/devtools/greet",
    version: "v1.0.0",
    repo: {
      files: {
        "go.mod": goMod(GREET),
        "greet.go": `// Package greet is the demo module of modgate.\npackage greet\n\n// Hello greets name.\nfunc Hello(name string) string { return "Hello, " + name + ", from ${GREET} (served by modgate)" }\n`,
        "cmd/hello/main.go": `package main\n\nimport (\n\t"fmt"\n\n\t"${GREET}"\n)\n\nfunc main() { fmt.Println(greet.Hello("gopher")) }\n`,
      },
      tags: ["v1.0.0"],
    },
  },
  {
    path: COLOR,
    project: "demo/oss/cli/color",
    version: "v0.1.0",
    repo: {
      files: {
        "go.mod": goMod(COLOR),
        "color.go": `// Package color is found by modgate below the group demo/oss through the GitLab API.\npackage color\n\n// Green wraps s in the terminal's green.\nfunc Green(s string) string { return "\\x1b[32m" + s + "\\x1b[0m" }\n`,
      },
      tags: ["v0.1.0"],
    },
  },
];

/** The projects of the local GitLab: public, so neither modgate nor git needs a token. */
export const DEMO_PROJECTS: readonly StandInProject[] = DEMO_MODULES.map((m) => ({ path: m.project, visibility: "public" }));

/** modgate's config for the local GitLab at gitlabUrl; the module proxy keeps its versions in proxyCacheDir. */
export function demoConfig(gitlabUrl: string, proxyCacheDir: string): string {
  return `# Written by npm run demo: modgate in front of a local GitLab stand-in.
gitlab:
  url: ${gitlabUrl}
# modgate's module proxy too (GOPROXY=<modgate's URL>): module zips built from the GitLab API,
# so the go command needs no git. The go-import answers still name the git repositories.
proxy:
  enabled: true
  cacheDir: ${proxyCacheDir}
modules:
  # A project in a nested subgroup, mapped by hand.
  - path: ${GREET}
    project: demo/devtools/greet
  # Every project below the group demo/oss, found through the GitLab API.
  - path: ${VANITY_HOST}/oss
    group: demo/oss
`;
}
