// `modgate resolve MODULE@QUERY`: the version a query resolves to, its zip
// (built into the store when needed) and both h1 sums — what
// `go mod download -json` shows — or the failure the proxy would answer.
import type { CachingRepo } from "./cache/caching-repo.js";
import { isCanonical } from "./cache/caching-repo.js";
import type { StoredObject } from "./store/store.js";
import { goModHash } from "../module/dirhash.js";
import * as semver from "../module/semver.js";

/** What `modgate resolve MODULE@QUERY` prints: the version as the go command would download it. */
export interface ModuleSummary {
  module: string;
  version: string;
  /** Full commit id (Origin.Hash of the .info served). */
  commit: string;
  /** Time as in the .info served (RFC 3339, UTC). */
  time: string;
  /** h1 of the zip (go.sum's line, `go mod download -json`'s Sum). */
  sum: string;
  /** h1 of the go.mod (GoModSum). */
  goModSum: string;
  files: number;
  zipBytes: number;
}

export async function summarize(repo: CachingRepo, query: string, countFiles: (zip: StoredObject) => Promise<number>): Promise<ModuleSummary> {
  const version = isCanonical(query) ? query : query === "latest" ? await goLatest(repo) : (await repo.query(query)).version;
  const info = JSON.parse(new TextDecoder().decode(await repo.info(version))) as { Time: string; Origin: { Hash: string } };
  const zip = await repo.zip(version);
  const gomod = await repo.goMod(version);
  return {
    module: repo.modulePath,
    version,
    commit: info.Origin.Hash,
    time: info.Time,
    sum: await repo.zipHash(version),
    goModSum: goModHash(gomod),
    files: await countFiles(zip),
    zipBytes: zip.size,
  };
}

/**
 * `latest` as the go command resolves it through a proxy (modload's
 * queryProxy): the list's highest release that is not retracted, else its
 * highest pre-release, and only with no listed version the proxy's @latest.
 */
async function goLatest(repo: CachingRepo): Promise<string> {
  const versions = await repo.versions();
  if (versions.length > 0) {
    const retracted = await repo.repo.retractedVersions();
    const allowed = versions.filter((v) => !retracted(v));
    const pick = allowed.filter((v) => semver.prerelease(v) === "").at(-1) ?? allowed.at(-1);
    if (pick !== undefined) return pick;
  }
  return (await repo.query("latest")).version;
}
