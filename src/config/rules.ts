// The checks that relate fields to each other, and the step from a checked
// module entry to its compiled form. Each check says what to write instead.
import { checkElement, checkModuleHost } from "../core/importpath.js";
import type { CompiledModule, GitlabTransport } from "../core/compiled.js";
import { cloneUrl, webUrl } from "../core/gitlab-urls.js";
import { DEFAULTS, defaultBrowser } from "../core/defaults.js";
import type { GitlabInput, ModuleInput } from "./schema.js";
import type { ConfigPath, Problem } from "./problems.js";

/** The gitlab: section, checked, with defaults filled in. */
export interface GitlabSettings {
  /** Web URL without a trailing slash. */
  url: string;
  transport: GitlabTransport;
  ssh: { user: string; host: string; port: number };
  token?: string;
  apiTimeoutMs: number;
  maxConcurrentCalls: number;
  maxConcurrentChecks: number;
}

const VARIABLE = /\{([^{}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkGitlab(input: GitlabInput, problems: Problem[]): GitlabSettings | undefined {
  const at = (...path: string[]): ConfigPath => ["gitlab", ...path];
  // An unset ${VAR} is already reported as such; its text is no URL to judge.
  if (/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(input.url)) return undefined;
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    problems.push({ path: at("url"), message: `gitlab.url ${JSON.stringify(input.url)} is not a URL: write it like https://gitlab.example.com` });
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push({ path: at("url"), message: `gitlab.url must start with https:// (or http://), not ${url.protocol}//` });
    return undefined;
  }
  if (url.username || url.password) {
    problems.push({ path: at("url"), message: "gitlab.url must not carry credentials: clients bring their own (.netrc, ssh keys)" });
  }
  if (url.search || url.hash) {
    problems.push({ path: at("url"), message: "gitlab.url must not have a query or fragment: write the web URL of GitLab itself" });
  }
  const host = input.ssh?.host ?? url.hostname;
  if (input.ssh?.host !== undefined && !/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(input.ssh.host)) {
    problems.push({
      path: at("ssh", "host"),
      message: `gitlab.ssh.host ${JSON.stringify(input.ssh.host)} is not a host name: write only the host, like gitlab.example.com`,
    });
  }
  if (input.ssh?.user !== undefined && !/^[A-Za-z0-9._-]+$/.test(input.ssh.user)) {
    problems.push({ path: at("ssh", "user"), message: `gitlab.ssh.user ${JSON.stringify(input.ssh.user)} is not a user name: write only the name, like git` });
  }
  const settings: GitlabSettings = {
    url: url.origin + url.pathname.replace(/\/+$/, ""),
    transport: input.transport ?? DEFAULTS.gitlab.transport,
    ssh: { user: input.ssh?.user ?? DEFAULTS.gitlab.ssh.user, host, port: input.ssh?.port ?? DEFAULTS.gitlab.ssh.port },
    apiTimeoutMs: Math.round((input.apiTimeout ?? DEFAULTS.gitlab.apiTimeoutSeconds) * 1000),
    maxConcurrentCalls: input.maxConcurrentCalls ?? DEFAULTS.gitlab.maxConcurrentCalls,
    maxConcurrentChecks: input.maxConcurrentChecks ?? DEFAULTS.gitlab.maxConcurrentChecks,
  };
  if (input.token !== undefined) settings.token = input.token;
  return settings;
}

/** The variables of a path pattern, or problems when it is not a valid pattern. */
function checkModulePath(path: string, problems: Problem[]): { host: string; elements: string[]; variables: string[] } | undefined {
  const at: ConfigPath = ["path"];
  const fail = (message: string) => {
    problems.push({ path: at, message });
    return undefined;
  };
  if (path.includes("://")) return fail(`path is an import path, not a URL: write it like go.example.com/tools`);
  const [host = "", ...elements] = path.split("/");
  const hostProblem = checkModuleHost(host);
  if (hostProblem) return fail(`path ${JSON.stringify(path)}: ${hostProblem}`);
  if (elements.length === 0) return fail(`path ${JSON.stringify(path)} needs at least one element after the host, like ${host}/tools`);
  if (elements[0] === "-") return fail(`path ${JSON.stringify(path)}: ${host}/-/ is reserved for the service (health checks)`);
  const variables: string[] = [];
  for (const element of elements) {
    if (element.includes("{") || element.includes("}")) {
      const name = /^\{(.*)\}$/.exec(element)?.[1];
      if (name === undefined || !VARIABLE_NAME.test(name)) {
        return fail(`path ${JSON.stringify(path)}: a template variable must be a whole path element, like {name}`);
      }
      if (variables.includes(name)) return fail(`path ${JSON.stringify(path)}: variable {${name}} appears twice`);
      variables.push(name);
      continue;
    }
    const why = checkElement(element, "module");
    if (why) return fail(`path ${JSON.stringify(path)} is not a valid Go module path: ${why}`);
  }
  return { host, elements, variables };
}

/** Problems when `value` does not use exactly the path's variables. */
function checkVariables(field: keyof ModuleInput, value: string, variables: readonly string[], problems: Problem[]): void {
  const used = new Set([...value.matchAll(VARIABLE)].map((m) => m[1]!));
  for (const name of used) {
    if (!variables.includes(name)) {
      const known = variables.length === 0 ? "path has no variables" : `path has ${variables.map((v) => `{${v}}`).join(", ")}`;
      problems.push({ path: [field], message: `${field}: {${name}} is not a variable of path (${known})` });
    }
  }
  for (const name of variables) {
    if (!used.has(name)) {
      problems.push({ path: [field], message: `${field} must use {${name}}: every variable of path picks the repository` });
    }
  }
}

/** A value with each {variable} replaced by a plain placeholder, to check its syntax. */
function withPlaceholders(value: string): string {
  return value.replace(VARIABLE, "x");
}

function checkProject(project: string, problems: Problem[]): void {
  const sample = withPlaceholders(project);
  const segments = sample.split("/");
  const fail = (message: string) => problems.push({ path: ["project"], message });
  if (sample.startsWith("/") || sample.endsWith("/") || sample.includes("//")) {
    fail(`project ${JSON.stringify(project)}: write the full path without leading or trailing slashes, like platform/devtools/tools`);
  } else if (segments.length < 2) {
    fail(`project ${JSON.stringify(project)} needs its group: write the full path, like platform/devtools/tools`);
  } else if (sample.endsWith(".git")) {
    fail(`project ${JSON.stringify(project)}: leave off ".git", modgate adds it`);
  } else if (segments.some((s) => !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s) || s.endsWith("."))) {
    fail(`project ${JSON.stringify(project)} is not a GitLab path: use letters, digits, "_", "-" and "." in each part`);
  }
}

function checkRepo(repo: string, problems: Problem[]): void {
  const fail = (message: string) => problems.push({ path: ["repo"], message });
  const sample = withPlaceholders(repo);
  if (/\s/.test(repo)) return void fail(`repo must not contain spaces`);
  const scp = /^(?:([^@/:]+)@)?([^/:]+):(?!\/\/)(.*)$/.exec(sample);
  if (!sample.includes("://") && scp) {
    const [, user = "git", host, path = ""] = /^(?:([^@/:]+)@)?([^/:]+):(.*)$/.exec(repo)!;
    return void fail(`repo ${JSON.stringify(repo)} is in scp form, which the go command rejects: write ssh://${user}@${host}/${path.replace(/^\/+/, "")}`);
  }
  let url: URL;
  try {
    url = new URL(sample);
  } catch {
    return void fail(`repo ${JSON.stringify(repo)} is not a URL: write it like https://github.com/acme/x`);
  }
  if (url.protocol === "file:") return void fail(`repo: file: URLs are refused by the go command; serve the repository over https:// or ssh://`);
  if (!["https:", "http:", "ssh:"].includes(url.protocol)) {
    return void fail(`repo ${JSON.stringify(repo)}: use an https://, http:// or ssh:// URL`);
  }
  if (url.hostname === "") return void fail(`repo ${JSON.stringify(repo)} has no host`);
  if (url.password) {
    return void fail("repo: must not carry a password or token: every client would be sent it; clients bring their own credentials (.netrc, ssh keys)");
  }
  // A variable in the host would let a request pick the server the go command clones from.
  if (new URL(repo.replace(VARIABLE, "y")).host !== url.host) {
    fail(`repo ${JSON.stringify(repo)}: template variables may only appear in the path, not in the host`);
  }
}

function checkGroup(group: string, problems: Problem[]): void {
  if (
    group.startsWith("/") ||
    group.endsWith("/") ||
    group.includes("//") ||
    group.split("/").some((s) => !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s) || s.endsWith("."))
  ) {
    problems.push({ path: ["group"], message: `group ${JSON.stringify(group)} is not a GitLab group path: write its full path, like platform/oss` });
  }
}

function checkBranch(branch: string, problems: Problem[]): void {
  if (!/^[A-Za-z0-9._/-]+$/.test(branch) || /^[-/]|\/$|\.\.|\/\/|\.lock$/.test(branch)) {
    problems.push({ path: ["branch"], message: `branch ${JSON.stringify(branch)} is not a branch name: write it like main or release/1.x` });
  }
}

function checkSubdir(subdir: string, problems: Problem[]): void {
  const fail = (message: string) => problems.push({ path: ["subdir"], message });
  if (subdir.startsWith("/") || subdir.endsWith("/"))
    return void fail(`subdir ${JSON.stringify(subdir)}: write a path inside the repository, like sdk/go, without leading or trailing slashes`);
  for (const element of subdir.split("/")) {
    const why = checkElement(element);
    if (why) return void fail(`subdir ${JSON.stringify(subdir)}: ${why}`);
  }
}

/** Relations between fields that do not depend on other modules. */
function checkFieldPairs(m: ModuleInput, gitlabMissing: boolean, problems: Problem[]): void {
  const fail = (field: keyof ModuleInput, message: string) => problems.push({ path: [field], message, atKey: true });
  const sources = (["project", "repo", "group"] as const).filter((k) => m[k] !== undefined);
  if (sources.length > 1) {
    fail(
      sources[1]!,
      `use one of project: (a GitLab project), group: (every project below a GitLab group) or repo: (any repository URL), not ${sources.join(" and ")}`,
    );
  }
  if (sources.length === 0) {
    problems.push({ path: ["path"], message: "missing project: (a GitLab project path), group: (a GitLab group) or repo: (a repository URL)", atKey: true });
  }
  if (m.transport === "auto" && m.project === undefined && m.group === undefined) {
    fail("transport", "transport: auto applies to group: and project: modules");
  }
  if (m.group !== undefined) {
    if (m.vcs !== undefined) fail("vcs", "vcs: applies to repo: modules; GitLab projects are git");
    if (m.branch !== undefined) fail("branch", "branch: does not apply to group: modules: links use each project's default branch");
    if (m.subdir !== undefined) fail("subdir", "subdir: does not apply to group: modules; map that module with project: and subdir:");
    if (m.path.includes("{")) fail("path", "a group: rule cannot be a template: the projects below the group are its variables");
    if (gitlabMissing) fail("group", "group: needs a gitlab: section with url: (and token: for private projects)");
  }
  if (m.repo !== undefined) {
    if (m.transport !== undefined) fail("transport", "transport: applies to project: modules; with repo: the URL's scheme is the transport");
    if (m.branch !== undefined) fail("branch", "branch: applies to project: modules (GitLab links); remove it");
    if (m.browser === "gitlab") fail("browser", "browser: gitlab needs a project:; use pkgsite or none with repo:");
  }
  if (m.project !== undefined) {
    if (m.vcs !== undefined) fail("vcs", "vcs: applies to repo: modules; GitLab projects are git");
    if (gitlabMissing) {
      const transport = m.transport === "ssh" ? "an ssh URL" : "clone URLs";
      fail("project", `project: needs a gitlab: section to build ${transport}: add gitlab: with url: https://gitlab.example.com`);
    }
  }
}

/** Checks one module entry (already of the right shape) and compiles it. */
export function compileModule(
  m: ModuleInput,
  gitlab: GitlabSettings | undefined,
  gitlabMissing: boolean,
  source: string,
  problems: Problem[],
  /** proxy.enabled: transport auto then sends private modules through the proxy. */
  proxyEnabled = false,
): CompiledModule | undefined {
  const before = problems.length;
  const parsed = checkModulePath(m.path, problems);
  checkFieldPairs(m, gitlabMissing, problems);
  if (m.project !== undefined) {
    checkProject(m.project, problems);
    if (parsed) checkVariables("project", m.project, parsed.variables, problems);
  }
  if (m.repo !== undefined) {
    checkRepo(m.repo, problems);
    if (parsed) checkVariables("repo", m.repo, parsed.variables, problems);
  }
  if (m.branch !== undefined) checkBranch(m.branch, problems);
  if (m.subdir !== undefined) checkSubdir(m.subdir, problems);
  if (m.group !== undefined) checkGroup(m.group, problems);
  if (problems.length > before || !parsed) return undefined;

  const isPrivate = m.private ?? DEFAULTS.module.private;
  const compiled: CompiledModule = {
    pattern: m.path,
    host: parsed.host,
    elements: parsed.elements,
    vcs: m.vcs ?? DEFAULTS.module.vcs,
    repo: m.repo ?? "",
    private: isPrivate,
    source,
  };
  if (m.group !== undefined) {
    if (!gitlab) return undefined; // gitlab: is broken; already reported
    compiled.group = { path: m.group, transport: m.transport ?? gitlab.transport };
    // Filled by the loader from proxy.url once every module is compiled; with auto, the
    // group rule uses it for the private and internal projects it finds.
    if (compiled.group.transport === "proxy" || (compiled.group.transport === "auto" && proxyEnabled)) compiled.proxyBase = "";
    if (m.browser !== undefined) compiled.browser = m.browser;
    return compiled;
  }
  compiled.browser = m.browser ?? defaultBrowser(isPrivate, m.project !== undefined);
  if (m.subdir !== undefined) compiled.subdir = m.subdir;
  if (m.project !== undefined && gitlab) {
    // Static rules never call the API, so auto goes by the private: flag.
    const transport = m.transport ?? gitlab.transport;
    // auto with the proxy on: a private module through the proxy (no git, no ssh key on the client).
    if (transport === "proxy" || (transport === "auto" && isPrivate && proxyEnabled)) compiled.proxyBase = ""; // filled by the loader from proxy.url
    compiled.repo = cloneUrl(gitlab, m.project, transport === "auto" ? (isPrivate ? "ssh" : "https") : transport === "proxy" ? "https" : transport);
    compiled.gitlab = { web: webUrl(gitlab, m.project), branch: m.branch ?? DEFAULTS.module.branch, project: m.project };
  } else if (m.project !== undefined) {
    return undefined; // gitlab: is broken; already reported
  }
  return compiled;
}

/** Two rules with the same host and the same literals and variable places can never both match. */
export function ruleShape(m: CompiledModule): string {
  return [m.host, ...m.elements.map((e) => (e.startsWith("{") ? "{}" : e))].join("/");
}
