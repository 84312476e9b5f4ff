// URLs of a GitLab project, always built from the config (gitlab.url and the
// ssh settings), never taken from the API: its ssh_url_to_repo is in scp form,
// which the go command rejects.
import type { Transport } from "./compiled.js";

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
