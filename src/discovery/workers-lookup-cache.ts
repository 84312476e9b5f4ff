// Project look-ups in the Workers Cache API (per data centre), so isolates
// share what one of them learnt. Keys are synthetic URLs; nothing is cached
// for clients here.
import type { LookupCache, CachedLookup } from "./lookup-cache.js";

const KEY_ORIGIN = "https://modgate-discovery.invalid/";

export class WorkersLookupCache implements LookupCache {
  constructor(private readonly cache: Cache) {}

  private request(key: string): Request {
    return new Request(KEY_ORIGIN + encodeURIComponent(key));
  }

  async get(key: string): Promise<CachedLookup | undefined> {
    const hit = await this.cache.match(this.request(key));
    if (!hit) return undefined;
    try {
      return (await hit.json()) as CachedLookup;
    } catch {
      return undefined;
    }
  }

  async set(key: string, entry: CachedLookup, keepSeconds: number): Promise<void> {
    const body = JSON.stringify(entry);
    await this.cache.put(
      this.request(key),
      new Response(body, { headers: { "Content-Type": "application/json", "Cache-Control": `max-age=${Math.max(1, keepSeconds)}` } }),
    );
  }
}
