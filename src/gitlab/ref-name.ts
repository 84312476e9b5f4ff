// git's rules for a branch name (git-check-ref-format(1), and `git branch`
// refusing a leading "-" and "HEAD"). GitLab's API hands out default_branch
// as stored; a name git itself would refuse cannot be a real branch, and
// putting it into links would only make wrong or steered URLs.

/** Characters git forbids anywhere in a ref name, besides controls and DEL. */
const FORBIDDEN = /[ ~^:?*[\\]/;

/** True when `name` is a branch name git would accept. */
export function isBranchName(name: string): boolean {
  if (name === "" || name === "@" || name === "HEAD") return false;
  if (name.startsWith("-") || name.startsWith("/") || name.endsWith("/") || name.endsWith(".")) return false;
  if (name.includes("..") || name.includes("@{") || name.includes("//")) return false;
  if (FORBIDDEN.test(name)) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  // No component may start with "." or end with ".lock".
  return name.split("/").every((part) => !part.startsWith(".") && !part.endsWith(".lock"));
}
