// Which content store a Worker uses: the R2 bucket bound as MODGATE_STORE
// when there is one (shared by every data centre, never evicted), else the
// Cache API (per data centre, evictable: see cache-store.ts). Either way
// GitLab's archive is spooled in memory under one budget per isolate.
import type { ContentStore } from "./store.js";
import { CacheStore } from "./cache-store.js";
import { R2Store, type R2BucketLike } from "./r2-store.js";
import { boundedMemorySpool, SpoolBudget } from "./bounded-spool.js";

/** The binding name wrangler.toml's [[r2_buckets]] block gives the bucket. */
export const STORE_BINDING = "MODGATE_STORE";

/**
 * Bytes of GitLab archives one isolate holds at once. A Worker isolate has
 * 128 MB for everything; next to the archive sit the zip part being
 * uploaded (8 MiB), one file being compressed, and the runtime itself
 * (docs/benchmarks.md has the measurements behind this number).
 */
export const WORKER_SPOOL_BYTES = 64 * 1024 * 1024;

export function workerContentStore(env: Readonly<Record<string, unknown>>, cache: Cache, budget = new SpoolBudget(WORKER_SPOOL_BYTES)): ContentStore {
  const spool = () => boundedMemorySpool(budget);
  const bucket = env[STORE_BINDING];
  if (isBucket(bucket)) return new R2Store({ bucket, spool });
  return new CacheStore(cache, spool);
}

function isBucket(value: unknown): value is R2BucketLike {
  const b = value as Partial<R2BucketLike> | undefined;
  return typeof b === "object" && b !== null && typeof b.get === "function" && typeof b.put === "function" && typeof b.createMultipartUpload === "function";
}
