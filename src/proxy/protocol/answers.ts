// The GOPROXY protocol's answers (docs/go-rules.md §1.1, §1.5–§1.8): each
// endpoint of a found, authorised module → status, headers, body. What a
// version's files are comes from the caching repo; this file only decides
// how they are sent: content type, Cache-Control, and which answers are
// remembered in memory (immutable content only, see stored-answers.ts).
import { dataAnswer, type PlainAnswer } from "../../http/responses.js";
import type { FoundModule } from "../modules.js";
import type { ProxyEndpoint } from "./request.js";
import { isCanonical, type StoreNote } from "../cache/caching-repo.js";
import { MAX_REMEMBERED_BYTES, StoredAnswers, type CacheScope } from "../cache/stored-answers.js";

const JSON_TYPE = "application/json";
const TEXT_TYPE = "text/plain; charset=utf-8";
const ZIP_TYPE = "application/zip";
const encoder = new TextEncoder();

/** A year: what never changes may be kept as long as a cache likes. */
const IMMUTABLE_AGE = 31536000;

export class ProtocolAnswers {
  private readonly stored = new StoredAnswers();
  /** The list answer per list fetched and scope: built once per refresh, not once per request. */
  private readonly listAnswers = new WeakMap<string[], Partial<Record<CacheScope, PlainAnswer>>>();

  constructor(private readonly listTtlSeconds: number) {}

  /**
   * The answer when it is already in memory (a public module's fresh list or
   * remembered immutable content); undefined: take the long way. `now`:
   * the clock as the caller read it for this request.
   */
  known(m: FoundModule, endpoint: ProxyEndpoint, version: string | undefined, now?: number): PlainAnswer | undefined {
    const scope = scopeOf(m);
    switch (endpoint) {
      case "list": {
        const versions = m.repo.peekVersions(now);
        return versions && this.listAnswers.get(versions)?.[scope];
      }
      case "info":
      case "mod":
      case "zip":
        // Only canonical versions are ever remembered, so a query ("v1.2", a branch) misses here.
        return this.stored.get(m.repo.key(version!, endpoint), scope);
      case "latest":
        return undefined;
    }
  }

  async answer(m: FoundModule, endpoint: ProxyEndpoint, version: string | undefined, note: StoreNote): Promise<PlainAnswer> {
    // Non-public answers are the authorised reader's: no shared cache may keep them. Decided
    // per request from the module's current visibility, remembered answers included.
    const scope = scopeOf(m);
    const listCache = `${scope}, max-age=${this.listTtlSeconds}`;
    const immutable = `${scope}, max-age=${IMMUTABLE_AGE}, immutable`;
    const repo = m.repo;
    switch (endpoint) {
      case "list": {
        const { data: versions, stale } = await repo.listing();
        // A stale list (GitLab failing, its refresh in the background): no cache may keep it (finding 6).
        if (stale) return dataAnswer(200, TEXT_TYPE, encoder.encode(versions.map((v) => v + "\n").join("")), `${scope}, no-cache`);
        let lists = this.listAnswers.get(versions);
        if (!lists) this.listAnswers.set(versions, (lists = {}));
        // Bytes, not text: the answer's size is then known without measuring its UTF-8 on every request.
        return (lists[scope] ??= dataAnswer(200, TEXT_TYPE, encoder.encode(versions.map((v) => v + "\n").join("")), listCache));
      }
      case "latest":
        return dataAnswer(200, JSON_TYPE, await repo.queryInfo("latest"), listCache);
      case "info": {
        const v = version!;
        if (!isCanonical(v)) return dataAnswer(200, JSON_TYPE, await repo.queryInfo(v), listCache);
        const key = repo.key(v, "info");
        note.fromStore = true;
        const known = this.stored.get(key, scope);
        if (known) return known;
        return this.stored.remember(key, dataAnswer(200, JSON_TYPE, await repo.info(v, note), immutable), scope);
      }
      case "mod": {
        const v = version!;
        note.fromStore = true;
        const known = isCanonical(v) ? this.stored.get(repo.key(v, "mod"), scope) : undefined;
        if (known) return known;
        const data = await repo.goMod(v, note);
        const answer = dataAnswer(200, TEXT_TYPE, data, immutable);
        return note.fromStore ? this.stored.remember(repo.key(v, "mod"), answer, scope) : answer;
      }
      case "zip": {
        const v = version!;
        note.fromStore = true;
        const known = isCanonical(v) ? this.stored.get(repo.key(v, "zip"), scope) : undefined;
        if (known) return known;
        const object = await repo.zip(v, note);
        // Small zips (most modules) are answered from memory like .info; large ones stream, so RSS stays bounded.
        if (object.size <= MAX_REMEMBERED_BYTES)
          return this.stored.remember(repo.key(v, "zip"), dataAnswer(200, ZIP_TYPE, await object.bytes(), immutable), scope);
        return dataAnswer(200, ZIP_TYPE, { size: object.size, open: () => object.stream() }, immutable);
      }
    }
  }
}

function scopeOf(m: FoundModule): CacheScope {
  return m.isPublic ? "public" : "private";
}
