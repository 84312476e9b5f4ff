// Where immutable module content is kept: `.info` of canonical versions,
// `.mod`, `.zip` (and its h1). Once written, an entry never changes: a tag
// GitLab later moves keeps serving what was first served. Each runtime
// brings its own: a directory on Node (src/node/disk-store.ts), memory in
// tests, R2 or the Cache API on Workers.
import type { Spool } from "../repo/gitlab-zip.js";

export interface StoredObject {
  size: number;
  /** The content, streamed. */
  stream(): ReadableStream<Uint8Array>;
  bytes(): Promise<Uint8Array>;
}

export interface ContentStore {
  /**
   * True when work no request waits for may go on after an answer is sent:
   * the store lives in a long-running process (Node). A cold `.info` then
   * starts its version's zip build at once (cache/caching-repo.ts). A Worker
   * cancels what a request left running once its answer is sent (nothing
   * calls waitUntil), so the Workers' stores leave this unset.
   */
  readonly backgroundWork?: boolean;
  get(key: string): Promise<StoredObject | undefined>;
  /**
   * Writes atomically: readers see the whole object or nothing. The first
   * write of a key wins, also against other processes sharing the store:
   * true when this write created the object, false when the key already held
   * one (this body was discarded, never visible under the key).
   */
  put(key: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<boolean>;
  /**
   * Removes an object (nothing when there is none). Only for damaged
   * content: a zip that is not what its record says, `modgate store verify --fix`.
   */
  delete(key: string): Promise<void>;
  /**
   * Every key starting with `prefix`, for `modgate store verify`. Only
   * stores that can enumerate their keys have it (the disk store; an S3
   * store could).
   */
  list?(prefix: string): AsyncIterable<string>;
  /** A place to keep a download while it is read at random offsets. */
  spool(): Spool;
}
