import { dirname } from "node:path";
import { toolPath } from "./tools.js";

/**
 * Environment for git (and programs that run git) that ignores the user's and the system's
 * git configuration, never prompts, and uses fixed identities, so runs are reproducible.
 */
export function isolatedGitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: [dirname(toolPath("git")), process.env.PATH ?? "/usr/bin:/bin"].join(":"),
    LANG: "C",
    LC_ALL: "C",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "modgate e2e",
    GIT_AUTHOR_EMAIL: "e2e@modgate.invalid",
    GIT_COMMITTER_NAME: "modgate e2e",
    GIT_COMMITTER_EMAIL: "e2e@modgate.invalid",
    ...extra,
  };
}
