// URLs of a GitLab project, always built from the config (gitlab.url and the
// ssh settings), never taken from the API: its ssh_url_to_repo is in scp form,
// which the go command rejects.
import type { Transport } from "./compiled.js";
import { encodePath } from "./url-path.js";

export interface GitlabEndpoints {
  /** Web URL without a trailing slash. */
  url: string;
  ssh: { user: string; host: string; port: number };
}

/** https → <url>/<project>.git; ssh → ssh://user@host[:port]/<project>.git. */
export function cloneUrl(gitlab: GitlabEndpoints, project: string, transport: Transport): string {
  if (transport === "https") return `${gitlab.url}/${project}.git`;
  const { user, host, port } = gitlab.ssh;
  return `ssh://${user}@${host}${port === 22 ? "" : `:${port}`}/${project}.git`;
}

export function webUrl(gitlab: GitlabEndpoints, project: string): string {
  return `${gitlab.url}/${project}`;
}

/**
 * `<web>/-/<view>/<ref>[/<dir>]`. The ref comes from the config or from the
 * API's default_branch, so it is encoded per element (issue 9: a raw
 * UTF-8 ref crashed the Node listener, "#"/"?"/"%" steered the link); `dir`
 * is too, though it is made of validated import-path elements.
 */
function refUrl(web: string, view: "tree" | "blob", ref: string, dir: string): string {
  const base = `${web}/-/${view}/${encodePath(ref)}`;
  return dir === "" ? base : `${base}/${encodePath(dir)}`;
}

/** Where a browser reads a directory of the project at `ref`. */
export function treeUrl(web: string, ref: string, dir: string): string {
  return refUrl(web, "tree", ref, dir);
}

/**
 * The go-source tag's content (https://github.com/golang/gddo/wiki/Source-Code-Links):
 * prefix, home, directory and file templates, separated by spaces — so an
 * unencoded space or "{" in the ref would break or inject a field.
 */
export function goSourceContent(root: string, web: string, ref: string, subdir: string | undefined): string {
  const dir = subdir ?? "";
  return `${root} ${web} ${refUrl(web, "tree", ref, dir)}{/dir} ${refUrl(web, "blob", ref, dir)}{/dir}/{file}#L{line}`;
}
