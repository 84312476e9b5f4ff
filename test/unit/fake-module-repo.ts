// A module repository in memory for the caching repo's tests: one module,
// whose zips are built from files the test chooses (a tag GitLab moved), and
// helpers to build, store and damage them.
import { CachingRepo } from "../../src/proxy/cache/caching-repo.js";
import { MemoryStore } from "../../src/proxy/store/memory-store.js";
import type { Repo, ResolvedVersion } from "../../src/proxy/repo/repo.js";
import { createModuleZip, type ModuleZip } from "../../src/proxy/zip/module-zip.js";
import { bytesFile } from "../../src/proxy/zip/file.js";

export const MODULE = "example.com/m";
export const V = "v1.0.0";
export const ZIP_KEY = `${MODULE}/@v/${V}.zip`;
export const RECORD_KEY = `${ZIP_KEY}hash`;
export const text = (s: string) => new TextEncoder().encode(s);
export const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** A repository whose zip of V holds `content` (changed by the test: a tag GitLab moved). */
export class FakeRepo implements Repo {
  readonly modulePath = MODULE;
  readonly origin = { url: "https://gitlab.example.com/m.git", subdir: "" };
  zips = 0;
  constructor(public content = "package m\n") {}
  async versions(): Promise<string[]> {
    return [V];
  }
  async stat(rev: string): Promise<ResolvedVersion> {
    return { version: rev, time: new Date("2024-01-02T03:04:05Z"), hash: "0123456789abcdef0123456789abcdef01234567" };
  }
  async latest(): Promise<ResolvedVersion> {
    return this.stat(V);
  }
  async goMod(): Promise<Uint8Array> {
    return text(`module ${MODULE}\n`);
  }
  async zip(version: string): Promise<ModuleZip> {
    this.zips++;
    return createModuleZip({ modulePath: MODULE, version, files: [bytesFile("go.mod", `module ${MODULE}\n`), bytesFile("m.go", this.content)] });
  }
  async retractedVersions(): Promise<(v: string) => boolean> {
    return () => false;
  }
  async tagCommit(): Promise<string | undefined> {
    return undefined;
  }
  async tagCommits(): Promise<Map<string, string>> {
    return new Map();
  }
}

export const cachingRepo = (repo: Repo, store: MemoryStore) => new CachingRepo(repo, { store, escapedPath: MODULE, listTtlMs: 0, now: () => 0 });

/** The zip as built for `content`, with its h1 and size. */
export async function built(content: string): Promise<{ bytes: Uint8Array; h1: string; size: number }> {
  const zip = await new FakeRepo(content).zip(V);
  const bytes = new Uint8Array(await new Response(zip.stream).arrayBuffer());
  const { h1, size } = await zip.done;
  return { bytes, h1, size };
}

/** Replaces a stored object (damage done behind the store's back). */
export async function overwrite(store: MemoryStore, key: string, bytes: Uint8Array): Promise<void> {
  await store.delete(key);
  await store.put(key, bytes);
}
