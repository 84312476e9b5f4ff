// The module proxy conformance fixtures (issue 10): one repository per go-command rule worth
// checking, each with the module paths, versions and queries to compare between GOPROXY=direct
// (the oracle, go-direct.ts) and modgate's proxy. Expectations were taken from the real go
// command (go-direct.e2e.test.ts prints them), not from modgate: when go changes, they change.
import { buildFixtureRepo, buildLongHistoryRepo, type BuiltRepo, type FixtureHistory } from "./fixture-repo.js";
import { createRepoRoot, type RepoRoot } from "./git-repos.js";
import { startGitLabStandIn, type GitLabStandIn, type StandInProject } from "./gitlab-stand-in.js";

export const FIXTURE_HOST = "go.example.com";
const M = `${FIXTURE_HOST}/fx`;

/** A query for `go mod download mod@<query>`: a literal, or commit `commit` of the history as a hash prefix. */
export type FixtureQueryText = string | { commit: number; length: 7 | 12 | 40 };

export interface FixtureQuery {
  query: FixtureQueryText;
  /** `ok`, optionally with the Version go answers; or a pattern go's error must match. */
  expect: { version?: string | RegExp } | { error: RegExp };
}

export interface FixtureModule {
  path: string;
  /** `go list -m -versions` (retracted versions omitted, as go omits them), or a pattern of go's error. */
  versions: string[] | { error: RegExp };
  /** `go list -m mod@latest`: the Version, or a pattern of go's error. */
  latest: string | RegExp | { error: RegExp };
  queries: FixtureQuery[];
}

export interface ProxyFixture {
  /** Short name; the project is `fixtures/<name>`, the go-import root `go.example.com/fx/<name>`. */
  name: string;
  /** Build the history (declarative), or a custom builder (long history). */
  history: FixtureHistory | ((root: string, project: string) => Promise<BuiltRepo>);
  modules: FixtureModule[];
  /** Only worth running in the benchmark (slow to fetch). */
  large?: boolean;
}

const goMod = (path: string, go = "1.21", extra = "") => `module ${path}\n\ngo ${go}\n${extra}`;
const pkg = (name: string) => `package ${name}\n\nfunc Hello() string { return ${JSON.stringify(name)} }\n`;
const ok = (version?: string | RegExp): FixtureQuery["expect"] => (version === undefined ? {} : { version });
const PSEUDO = /^v\d+\.\d+\.\d+-(?:[0-9A-Za-z.-]+\.)?0\.\d{14}-[0-9a-f]{12}$/;

export const PROXY_FIXTURES: ProxyFixture[] = [
  {
    // Root module: lightweight + annotated tags, prerelease, non-canonical tags, a branch, time zones.
    name: "root",
    history: {
      commits: [
        { files: { "go.mod": goMod(`${M}/root`), "root.go": pkg("root") }, tags: ["v1.0.0"] },
        {
          files: { "b.go": pkg("root") },
          tags: [{ name: "v1.1.0", annotated: "release v1.1.0\n" }],
          authorDate: "2020-02-03T04:05:06+00:00",
          committerDate: "2024-03-04T10:11:12+05:30",
        },
        { files: { "c.go": pkg("root") }, tags: ["v1.2", "v1.2.3+meta"], committerDate: "2024-03-05T01:02:03-07:00" },
        { files: { "d.go": pkg("root") }, tags: ["v1.3.0-rc.1"], committerDate: "2024-03-06T23:59:59+14:00" },
        { files: { "feature.go": pkg("root") }, branch: "feature", committerDate: "2024-03-07T00:00:00-11:00" },
        { files: { "e.go": pkg("root") }, committerDate: "2024-03-08T12:00:00+01:00" },
      ],
    },
    modules: [
      {
        path: `${M}/root`,
        versions: ["v1.0.0", "v1.1.0", "v1.3.0-rc.1"],
        latest: "v1.1.0",
        queries: [
          { query: "v1.0.0", expect: ok("v1.0.0") },
          { query: "v1.1.0", expect: ok("v1.1.0") },
          { query: "v1.3.0-rc.1", expect: ok("v1.3.0-rc.1") },
          { query: "v1.2", expect: { error: /no matching versions for query "v1.2"/ } },
          // A non-canonical tag on the commit becomes the pseudo-version's base (v1.2.3 → v1.2.4-0.…).
          { query: "v1.2.3+meta", expect: ok(/^v1\.2\.4-0\.20240305080203-[0-9a-f]{12}$/) },
          { query: "feature", expect: ok(/^v1\.3\.0-rc\.1\.0\.20240307110000-[0-9a-f]{12}$/) },
          { query: "main", expect: ok(/^v1\.3\.0-rc\.1\.0\.20240308110000-[0-9a-f]{12}$/) },
          { query: { commit: 2, length: 7 }, expect: ok(/^v1\.2\.4-0\.20240305080203-[0-9a-f]{12}$/) },
          { query: { commit: 4, length: 12 }, expect: ok(/^v1\.3\.0-rc\.1\.0\.20240307110000-/) },
          { query: { commit: 1, length: 40 }, expect: ok("v1.1.0") },
          { query: "latest", expect: ok("v1.1.0") },
          { query: "v1.4.0", expect: { error: /unknown revision v1\.4\.0/ } },
        ],
      },
    ],
  },
  {
    // A root module with a nested module in sub/mod (prefixed tags, a pseudo-looking prefixed tag,
    // LICENSE only at the repository root).
    name: "mono",
    history: {
      commits: [
        { files: { "go.mod": goMod(`${M}/mono`), "mono.go": pkg("mono"), LICENSE: "root licence\n" }, tags: ["v1.0.0"] },
        {
          files: { "sub/mod/go.mod": goMod(`${M}/mono/sub/mod`), "sub/mod/mod.go": pkg("mod") },
          tags: ["sub/mod/v0.4.0-0.20220101000000-abcdefabcdef"],
          committerDate: "2022-01-01T00:00:00+00:00",
        },
        { files: { "sub/mod/next.go": pkg("mod") }, committerDate: "2022-02-02T02:02:02+00:00" },
        { files: { "sub/mod/more.go": pkg("mod") }, tags: ["sub/mod/v1.0.0", "v1.1.0"] },
        { files: { "sub/mod/later.go": pkg("mod") }, committerDate: "2024-04-04T04:04:04+00:00" },
      ],
    },
    modules: [
      {
        path: `${M}/mono`,
        versions: ["v1.0.0", "v1.1.0"],
        latest: "v1.1.0",
        queries: [
          { query: "v1.1.0", expect: ok("v1.1.0") },
          { query: "main", expect: ok(/^v1\.1\.1-0\.20240404040404-/) },
        ],
      },
      {
        path: `${M}/mono/sub/mod`,
        versions: ["v1.0.0"],
        latest: "v1.0.0",
        queries: [
          { query: "v1.0.0", expect: ok("v1.0.0") },
          // The tagged commit itself "is" that pseudo-version, whose revision abcdefabcdef does not exist.
          { query: { commit: 1, length: 12 }, expect: { error: /unknown revision abcdefabcdef/ } },
          // §2.5 quirk: the prefixed pseudo-looking tag is a valid base for the next commit.
          { query: { commit: 2, length: 12 }, expect: ok(/^v0\.4\.0-0\.20220101000000-abcdefabcdef\.0\.20220202020202-[0-9a-f]{12}$/) },
          { query: "main", expect: ok(/^v1\.0\.1-0\.20240404040404-/) },
        ],
      },
    ],
  },
  {
    // /v2 in a v2/ directory next to a v1 module at the root.
    name: "v2dir",
    history: {
      commits: [
        { files: { "go.mod": goMod(`${M}/v2dir`), "a.go": pkg("v2dir") }, tags: ["v1.0.0"] },
        { files: { "v2/go.mod": goMod(`${M}/v2dir/v2`), "v2/a.go": pkg("v2dir") }, tags: ["v2.0.0"] },
        { files: { "v2/b.go": pkg("v2dir") }, tags: ["v2.1.0"] },
      ],
    },
    modules: [
      { path: `${M}/v2dir`, versions: ["v1.0.0"], latest: "v1.0.0", queries: [{ query: "v1.0.0", expect: ok("v1.0.0") }] },
      {
        path: `${M}/v2dir/v2`,
        versions: ["v2.0.0", "v2.1.0"],
        latest: "v2.1.0",
        queries: [
          { query: "v2.0.0", expect: ok("v2.0.0") },
          { query: "v1.0.0", expect: { error: /invalid version|should be v2|major version/ } },
          { query: "main", expect: ok("v2.1.0") },
        ],
      },
    ],
  },
  {
    // /v2 at the repository root: go.mod says `module .../v2root/v2` from v2.0.0 on.
    name: "v2root",
    history: {
      commits: [
        { files: { "go.mod": goMod(`${M}/v2root`), "a.go": pkg("v2root") }, tags: ["v1.0.0"] },
        { files: { "go.mod": goMod(`${M}/v2root/v2`) }, tags: ["v2.0.0"] },
        { files: { "b.go": pkg("v2root") }, tags: ["v2.0.1"] },
        { files: { "c.go": pkg("v2root") } },
      ],
    },
    modules: [
      { path: `${M}/v2root`, versions: ["v1.0.0"], latest: "v1.0.0", queries: [{ query: "v1.0.0", expect: ok("v1.0.0") }] },
      {
        path: `${M}/v2root/v2`,
        versions: ["v2.0.0", "v2.0.1"],
        latest: "v2.0.1",
        queries: [
          { query: "v2.0.1", expect: ok("v2.0.1") },
          { query: "main", expect: ok(/^v2\.0\.2-0\.\d{14}-/) },
          { query: { commit: 0, length: 12 }, expect: { error: /go\.mod|module path/ } },
        ],
      },
    ],
  },
  {
    // +incompatible: no go.mod up to v3; the v4 major's top tag has a go.mod, so v4 is not listed.
    name: "incompat",
    history: {
      commits: [
        { files: { "a.go": pkg("incompat") }, tags: ["v1.0.0"] },
        { files: { "b.go": pkg("incompat") }, tags: ["v2.0.0"] },
        { files: { "c.go": pkg("incompat") }, tags: ["v3.0.0-pre"] },
        { files: { "d.go": pkg("incompat") }, tags: ["v4.0.0"] },
        { files: { "go.mod": goMod(`${M}/incompat/v4`) }, tags: ["v4.1.0"] },
      ],
    },
    modules: [
      {
        path: `${M}/incompat`,
        versions: ["v1.0.0", "v2.0.0+incompatible", "v3.0.0-pre+incompatible"],
        latest: "v2.0.0+incompatible",
        queries: [
          { query: "v2.0.0+incompatible", expect: ok("v2.0.0+incompatible") },
          { query: "v2.0.0", expect: ok("v2.0.0+incompatible") },
          { query: "v4.0.0+incompatible", expect: ok("v4.0.0+incompatible") },
          { query: "v4.1.0+incompatible", expect: { error: /go\.mod/ } },
        ],
      },
      {
        // The list does not look at go.mod: v4.0.0 is listed, yet has no go.mod for a /v4 path.
        path: `${M}/incompat/v4`,
        versions: ["v4.0.0", "v4.1.0"],
        latest: "v4.1.0",
        queries: [
          { query: "v4.1.0", expect: ok("v4.1.0") },
          { query: "v4.0.0", expect: { error: /go\.mod/ } },
        ],
      },
    ],
  },
  {
    name: "nogomod",
    history: {
      commits: [
        { files: { "a.go": pkg("nogomod") }, tags: ["v0.1.0"] },
        { files: { "b.go": pkg("nogomod") }, tags: ["v1.0.0"] },
      ],
    },
    modules: [
      {
        path: `${M}/nogomod`,
        versions: ["v0.1.0", "v1.0.0"],
        latest: "v1.0.0",
        queries: [
          { query: "v0.1.0", expect: ok("v0.1.0") },
          { query: "v1.0.0", expect: ok("v1.0.0") },
        ],
      },
    ],
  },
  // Vendor directories: go 1.23 drops every vendor/ dir except its own files; 1.24 keeps pkg/vendor.
  ...(["1.23", "1.24"] as const).map((go): ProxyFixture => {
    const name = `vendor${go.replace(".", "")}`;
    return {
      name,
      history: {
        commits: [
          {
            files: {
              "go.mod": goMod(`${M}/${name}`, go),
              "a.go": pkg(name),
              "vendor/modules.txt": "# example.com/x v1.0.0\n## explicit\nexample.com/x\n",
              "vendor/x/y.go": "package y\n",
              "pkg/vendor/vendor.go": "package vendor\n",
              "pkg/vendor/a/b.go": "package a\n",
            },
            tags: ["v1.0.0"],
          },
        ],
      },
      modules: [{ path: `${M}/${name}`, versions: ["v1.0.0"], latest: "v1.0.0", queries: [{ query: "v1.0.0", expect: ok("v1.0.0") }] }],
    };
  }),
  {
    // Symlinks (to a file, to a directory) are left out of the zip.
    name: "symlinks",
    history: {
      commits: [
        {
          files: {
            "go.mod": goMod(`${M}/symlinks`),
            "real.go": pkg("symlinks"),
            "link.go": { symlink: "real.go" },
            "dir/x.go": pkg("dir"),
            dirlink: { symlink: "dir" },
          },
          tags: ["v1.0.0"],
        },
      ],
    },
    modules: [{ path: `${M}/symlinks`, versions: ["v1.0.0"], latest: "v1.0.0", queries: [{ query: "v1.0.0", expect: ok("v1.0.0") }] }],
  },
  {
    // A symlinked go.mod is read as its target's text ("gomod.txt"): no module path. Being the
    // latest version, it also breaks loading retractions, so the version list fails.
    name: "symgomod",
    history: {
      commits: [
        { files: { "go.mod": goMod(`${M}/symgomod`), "a.go": pkg("symgomod") }, tags: ["v1.0.0"] },
        { files: { "gomod.txt": goMod(`${M}/symgomod`), "go.mod": { symlink: "gomod.txt" } }, tags: ["v1.1.0"] },
      ],
    },
    modules: [
      {
        path: `${M}/symgomod`,
        versions: { error: /loading module retractions .*"v1\.1\.0" invalid: go\.mod is missing module path/ },
        latest: { error: /missing module path/ },
        queries: [
          { query: "v1.0.0", expect: ok("v1.0.0") },
          { query: "v1.1.0", expect: { error: /go\.mod is missing module path/ } },
        ],
      },
    ],
  },
  {
    name: "submodule",
    history: {
      commits: [
        {
          files: { "go.mod": goMod(`${M}/submodule`), "a.go": pkg("submodule"), "third_party/lib": { gitlink: "1234567890abcdef1234567890abcdef12345678" } },
          tags: ["v1.0.0"],
        },
      ],
    },
    modules: [{ path: `${M}/submodule`, versions: ["v1.0.0"], latest: "v1.0.0", queries: [{ query: "v1.0.0", expect: ok("v1.0.0") }] }],
  },
  {
    // .gitattributes: go's archive ignores export-ignore/export-subst but applies eol, text and ident.
    name: "attrs",
    history: {
      commits: [
        {
          files: {
            ".gitattributes":
              "ignored.go export-ignore\nversion.go export-subst\ncrlf.txt eol=crlf\n*.auto text=auto eol=crlf\nident.txt ident\ngo.mod eol=crlf\n",
            "go.mod": goMod(`${M}/attrs`),
            "a.go": pkg("attrs"),
            "ignored.go": pkg("attrs"),
            "version.go": 'package attrs\n\nconst Version = "$Format:%H$"\n',
            "crlf.txt": "one\ntwo\n",
            "x.auto": "three\nfour\n",
            "bin.auto": "bin\0ary\n",
            "ident.txt": "$Id$\n",
          },
          tags: ["v1.0.0"],
        },
      ],
    },
    modules: [{ path: `${M}/attrs`, versions: ["v1.0.0"], latest: "v1.0.0", queries: [{ query: "v1.0.0", expect: ok("v1.0.0") }] }],
  },
  {
    // v1.2.0's go.mod retracts v1.1.0: hidden from the list, and no pseudo-version base.
    name: "retract",
    history: {
      commits: [
        { files: { "go.mod": goMod(`${M}/retract`), "a.go": pkg("retract") }, tags: ["v1.0.0"] },
        { files: { "b.go": pkg("retract") }, tags: ["v1.1.0"] },
        { files: { "c.go": pkg("retract") }, committerDate: "2024-05-05T05:05:05+00:00" },
        { files: { "go.mod": goMod(`${M}/retract`, "1.21", "\nretract v1.1.0 // broken\n") }, tags: ["v1.2.0"] },
      ],
    },
    modules: [
      {
        path: `${M}/retract`,
        versions: ["v1.0.0", "v1.2.0"],
        latest: "v1.2.0",
        queries: [
          { query: "v1.1.0", expect: ok("v1.1.0") },
          { query: { commit: 2, length: 12 }, expect: ok(/^v1\.0\.1-0\.20240505050505-[0-9a-f]{12}$/) },
        ],
      },
    ],
  },
  {
    // File names go refuses: a Windows-reserved name, then a colon. Both versions fail in direct mode.
    name: "badname",
    history: {
      commits: [
        { files: { "go.mod": goMod(`${M}/badname`), "a.go": pkg("badname") }, tags: ["v1.0.0"] },
        { files: { "aux.go": pkg("badname") }, tags: ["v1.1.0"] },
        { files: { "a:b.go": pkg("badname") }, remove: ["aux.go"], tags: ["v1.2.0"] },
      ],
    },
    modules: [
      {
        path: `${M}/badname`,
        versions: ["v1.0.0", "v1.1.0", "v1.2.0"],
        latest: "v1.2.0",
        queries: [
          { query: "v1.0.0", expect: ok("v1.0.0") },
          { query: "v1.1.0", expect: { error: /malformed file path "aux\.go"/ } },
          { query: "v1.2.0", expect: { error: /malformed file path "a:b\.go"/ } },
        ],
      },
    ],
  },
  {
    name: "casecoll",
    history: {
      commits: [
        { files: { "go.mod": goMod(`${M}/casecoll`), "a.go": pkg("casecoll") }, tags: ["v1.0.0"] },
        { files: { README: "upper\n", readme: "lower\n" }, tags: ["v1.1.0"] },
      ],
    },
    modules: [
      {
        path: `${M}/casecoll`,
        versions: ["v1.0.0", "v1.1.0"],
        latest: "v1.1.0",
        queries: [
          { query: "v1.0.0", expect: ok("v1.0.0") },
          { query: "v1.1.0", expect: { error: /case-insensitive file name collision/ } },
        ],
      },
    ],
  },
  {
    // The benchmark's repository: 2,000 commits, 40 files of 50 kB rewritten in turn, a tag every 100.
    name: "long",
    large: true,
    history: (root, project) => buildLongHistoryRepo(root, project, { modulePath: `${M}/long`, commits: 2000, files: 40, fileBytes: 50_000, tagEvery: 100 }),
    modules: [
      {
        path: `${M}/long`,
        versions: Array.from({ length: 20 }, (_, i) => `v0.${i + 1}.0`),
        latest: "v0.20.0",
        queries: [
          { query: "v0.20.0", expect: ok("v0.20.0") },
          { query: { commit: 1950, length: 12 }, expect: ok(PSEUDO) },
        ],
      },
    ],
  },
];

/** The GitLab project path of a fixture. */
export const fixtureProject = (f: ProxyFixture): string => `fixtures/${f.name}`;

/** The go-import root modgate maps to the fixture's project. */
export const fixtureRoot = (f: ProxyFixture): string => `${M}/${f.name}`;

/** The query text for the go command (hash prefixes resolved against the built history). */
export function queryText(q: FixtureQueryText, built: BuiltRepo): string {
  if (typeof q === "string") return q;
  const id = built.commits[q.commit];
  if (id === undefined) throw new Error(`fixture query names commit ${q.commit}, history has ${built.commits.length}`);
  return id.slice(0, q.length);
}

/** A modgate config serving the fixtures through its module proxy, the store under `storeDir`. */
export function fixtureProxyConfig(fixtures: readonly ProxyFixture[], gitlabUrl: string, token: string, storeDir: string): string {
  return `gitlab:\n  url: ${gitlabUrl}\n  token: ${token}\n  transport: https\nproxy:\n  enabled: true\n  cacheDir: ${storeDir}\nmodules:\n${fixtureRules(fixtures)}`;
}

/** modgate config rules for the fixtures: one `project:` rule per repository. */
export function fixtureRules(fixtures: readonly ProxyFixture[]): string {
  return fixtures.map((f) => `  - path: ${fixtureRoot(f)}\n    project: ${fixtureProject(f)}\n`).join("");
}

export interface FixtureLab {
  repos: RepoRoot;
  /** Serves the fixtures' REST API and git over HTTP (every project public). */
  lab: GitLabStandIn;
  built: Map<string, BuiltRepo>;
  close(): Promise<void>;
}

/** Builds the fixtures' bare repositories and a GitLab stand-in serving them. */
export async function startFixtureLab(fixtures: readonly ProxyFixture[], token = "glpat-fixtures"): Promise<FixtureLab> {
  const repos = await createRepoRoot();
  try {
    const built = new Map<string, BuiltRepo>();
    for (const f of fixtures) {
      const project = fixtureProject(f);
      built.set(f.name, typeof f.history === "function" ? await f.history(repos.dir, project) : await buildFixtureRepo(repos.dir, project, f.history));
    }
    const projects: StandInProject[] = fixtures.map((f) => ({ path: fixtureProject(f), visibility: "public" }));
    const lab = await startGitLabStandIn({ root: repos.dir, token, projects });
    return {
      repos,
      lab,
      built,
      async close() {
        await lab.close();
        await repos.close();
      },
    };
  } catch (err) {
    await repos.close();
    throw err;
  }
}
