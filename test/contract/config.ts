// The config every contract case is written against. Kept apart from cases.ts
// (which imports vitest) so build steps can compile it on plain Node.
export const CONTRACT_CONFIG_FILE = "contract.yaml";

export const CONTRACT_CONFIG = `\
gitlab:
  url: https://gitlab.example.com
  transport: https
  ssh:
    port: 2222
cacheMaxAge: 600
modules:
  # public, cloned over ssh on a non-default port, links on branch trunk
  - path: go.example.com/tools
    project: platform/devtools/tools
    transport: ssh
    branch: trunk
  # a module nested inside another one: the deeper rule wins below it
  - path: go.example.com/tools/extra
    project: platform/devtools/extra
  # private: left off the index, browsers go to GitLab
  - path: go.example.com/secret
    project: platform/secret/vault
    private: true
  # private, in a subdirectory: browsers go to the GitLab tree under it
  - path: go.example.com/secret/sdk
    project: platform/secret/mono
    subdir: go/sdk
    private: true
  - path: go.example.com/libs/{name}
    project: platform/libs/{name}
  # a literal beats the template of the same length
  - path: go.example.com/libs/special
    project: platform/special-lib
  - path: go.example.com/sdk
    project: platform/mono
    subdir: sdk/go
  - path: go.example.com/quiet
    project: platform/quiet
    browser: none
  - path: go.other.org/x
    repo: https://github.com/acme/x
  - path: go.other.org/hg
    repo: https://hg.example.org/acme/hg
    vcs: hg
`;
