// Where a module lives, as the proxy is told by whoever wires it (src/app/locate.ts
// from the go-get rules): the proxy never reads the config's rules itself.
export type Located =
  | {
      kind: "found";
      /** The GitLab project's full path as the rule names it. */
      project: string;
      /** The go-import prefix the module path falls under. */
      codeRoot: string;
      /** Go 1.25 go-import subdir, "" when none. */
      subdir: string;
      /** The repository URL of the go-import answer. */
      repo: string;
    }
  | {
      kind: "missing";
      reason: string;
      /**
       * A rule maps the path (a group rule, a template) but no project was found: without a
       * credential this is answered like a private project (401), so it tells nobody which exist.
       */
      mapped?: boolean;
    }
  | { kind: "unavailable"; reason: string };

/** The module path's location; a function so a reload's new rules come with a new proxy. */
export type Locate = (modulePath: string) => Located | Promise<Located>;
