// The module proxy's HTTP contract inside workerd: the Worker's own store
// choice (workerContentStore) with the R2 binding miniflare gives
// (MODGATE_STORE), and again without it (the Cache API). GitLab is the
// stand-in on Node (proxy-setup.ts), the token a Worker secret (env).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { createApp } from "../../src/app/hono-app.js";
import { assemble } from "../../src/app/assemble.js";
import { WorkersLookupCache } from "../../src/discovery/workers-lookup-cache.js";
import { workerContentStore } from "../../src/proxy/store/worker-store.js";
import type { R2BucketLike } from "../../src/proxy/store/r2-store.js";
import { SpoolBudget } from "../../src/proxy/store/bounded-spool.js";

declare module "vitest" {
  export interface ProvidedContext {
    proxyLab: { url: string; token: string; guestToken: string; config: string };
  }
}

const lab = inject("proxyLab");
const bucket = (env as { MODGATE_STORE: R2BucketLike }).MODGATE_STORE;
const HOST = "go.example.com";

function workerApp(bindings: Record<string, unknown>, budget?: SpoolBudget) {
  const config = compileConfig(lab.config, "proxy.yaml", { keepTokenReference: true });
  const cache = (caches as unknown as { default: Cache }).default;
  const router = assemble(config, {
    cache: () => new WorkersLookupCache(cache),
    store: () => workerContentStore(bindings, cache, budget),
    env: { GITLAB_TOKEN: lab.token },
  });
  return createApp({ modgate: () => router });
}

const basic = (password: string) => `Basic ${btoa(`anyone:${password}`)}`;

interface Case {
  name: string;
  path: string;
  auth?: "token" | "guest" | "wrong";
  status: number;
  type?: string;
  cache?: RegExp;
  body?: RegExp;
  wwwAuthenticate?: string;
}

const CASES: Case[] = [
  {
    name: "list",
    path: "/go.example.com/pub/@v/list",
    status: 200,
    type: "text/plain; charset=utf-8",
    cache: /^public, max-age=\d+$/,
    body: /^v1\.0\.0\nv1\.1\.0\n$/,
  },
  {
    name: "info of a tag",
    path: "/go.example.com/pub/@v/v1.0.0.info",
    status: 200,
    type: "application/json",
    cache: /^public, max-age=31536000, immutable$/,
    body: /^\{"Version":"v1\.0\.0","Time":"[^"]+Z","Origin":\{"VCS":"git"/,
  },
  { name: "mod", path: "/go.example.com/pub/@v/v1.1.0.mod", status: 200, type: "text/plain; charset=utf-8", body: /^module go\.example\.com\/pub\n/ },
  { name: "zip", path: "/go.example.com/pub/@v/v1.1.0.zip", status: 200, type: "application/zip", cache: /immutable/, body: /^PK\u0003\u0004/ },
  // @latest is the head commit's pseudo-version, as codeRepo.Latest gives it (the go command asks it only when the list is empty).
  { name: "@latest", path: "/go.example.com/pub/@latest", status: 200, type: "application/json", body: /"Version":"v1\.1\.1-0\.\d{14}-[0-9a-f]{12}"/ },
  { name: "a branch query", path: "/go.example.com/pub/@v/main.info", status: 200, body: /"Version":"v1\.1\.1-0\.\d{14}-[0-9a-f]{12}"/ },
  { name: "unknown version: 404", path: "/go.example.com/pub/@v/v9.9.9.info", status: 404, body: /^not found: / },
  // No credential: the private module's 401, so anonymous clients cannot tell missing from private (finding 8).
  {
    name: "a project GitLab lacks, no credential: 401",
    path: "/go.example.com/gone/@v/list",
    status: 401,
    wwwAuthenticate: `Basic realm="${HOST}"`,
    body: /go\.example\.com\/gone: a private module/,
  },
  { name: "a project GitLab lacks, a credential: 404", path: "/go.example.com/gone/@v/list", auth: "token", status: 404, body: /^not found: / },
  { name: "a path no rule owns: 404", path: "/go.example.com/elsewhere/@v/list", status: 404 },
  { name: "a non-canonical .zip: 404", path: "/go.example.com/pub/@v/v1.1.zip", status: 404 },
  { name: "a bad escape: 400", path: "/go.example.com/Pub/@v/list", status: 400, body: /^bad request: / },
  { name: "sumdb: 404", path: "/sumdb/sum.golang.org/supported", status: 404, body: /checksum database/ },
  {
    name: "private, no credential: 401",
    path: "/go.example.com/priv/@v/list",
    status: 401,
    wwwAuthenticate: `Basic realm="${HOST}"`,
    body: /go\.example\.com\/priv/,
  },
  { name: "private, a credential GitLab rejects: 401", path: "/go.example.com/priv/@v/list", auth: "wrong", status: 401, body: /rejected/ },
  { name: "private, a Guest without code access: 403", path: "/go.example.com/priv/@v/v0.1.0.info", auth: "guest", status: 403 },
  { name: "private, a reader: list", path: "/go.example.com/priv/@v/list", auth: "token", status: 200, cache: /^private, /, body: /^v0\.1\.0\n$/ },
  {
    name: "private, a reader: zip",
    path: "/go.example.com/priv/@v/v0.1.0.zip",
    auth: "token",
    status: 200,
    type: "application/zip",
    cache: /^private, max-age=31536000, immutable$/,
  },
];

function request(c: Case): Request {
  const headers: Record<string, string> = {};
  if (c.auth) headers.Authorization = basic(c.auth === "token" ? lab.token : c.auth === "guest" ? lab.guestToken : "glpat-not-a-token");
  return new Request(`https://${HOST}${c.path}`, { headers });
}

async function check(app: ReturnType<typeof workerApp>, c: Case): Promise<Uint8Array> {
  const response = await app.fetch(request(c));
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder("latin1").decode(bytes);
  expect(response.status, text).toBe(c.status);
  if (c.type) expect(response.headers.get("content-type")).toBe(c.type);
  if (c.cache) expect(response.headers.get("cache-control")).toMatch(c.cache);
  if (c.body) expect(text).toMatch(c.body);
  if (c.wwwAuthenticate) expect(response.headers.get("www-authenticate")).toBe(c.wwwAuthenticate);
  if (response.headers.has("content-length")) expect(Number(response.headers.get("content-length"))).toBe(bytes.length);
  // Credentials never come back.
  for (const t of [lab.token, lab.guestToken]) expect(text).not.toContain(t);
  return bytes;
}

describe("module proxy in workerd, R2 store (MODGATE_STORE)", () => {
  const app = workerApp({ MODGATE_STORE: bucket });
  it.each(CASES)("$name", async (c) => {
    await check(app, c);
  });

  it("keeps the zip and its h1 in R2, under the escaped path and the GitLab project's id", async () => {
    const zip = await check(
      app,
      CASES.find((c) => c.name === "zip")!,
    );
    // Miniflare's R2 binding lists; modgate's own R2BucketLike needs no list.
    const listing = bucket as unknown as { list(o: { prefix: string }): Promise<{ objects: Array<{ key: string }> }> };
    const keys = (await listing.list({ prefix: "go.example.com/pub/@p/" })).objects.map((o) => o.key);
    const zipKey = keys.find((k) => /^go\.example\.com\/pub\/@p\/\d+\/@v\/v1\.1\.0\.zip$/.test(k));
    expect(zipKey, keys.join(" ")).toBeDefined();
    const stored = await bucket.get(zipKey!);
    expect(stored, "the zip is in the bucket").not.toBeNull();
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(zip);
    const h1 = await bucket.get(zipKey!.replace(/\.zip$/, ".ziphash"));
    // The record: the h1, then the zip's size (src/proxy/cache/zip-record.ts).
    expect(new TextDecoder().decode(await h1!.arrayBuffer())).toMatch(new RegExp(`^h1:[A-Za-z0-9+/]{43}=\\n${zip.length}\\n$`));
  });

  it("serves a version from R2 to another isolate's router: the same bytes", async () => {
    const first = await check(
      app,
      CASES.find((c) => c.name === "zip")!,
    );
    const other = workerApp({ MODGATE_STORE: bucket });
    expect(
      await check(
        other,
        CASES.find((c) => c.name === "zip")!,
      ),
    ).toEqual(first);
  });
});

describe("module proxy in workerd, no binding: the Cache API store", () => {
  let app: ReturnType<typeof workerApp>;
  beforeAll(() => {
    app = workerApp({});
  });
  it.each(CASES)("$name", async (c) => {
    await check(app, c);
  });

  it("gives the same zip bytes as the R2 store", async () => {
    const zipCase = CASES.find((c) => c.name === "zip")!;
    const fromCache = await check(app, zipCase);
    const fromR2 = await check(workerApp({ MODGATE_STORE: bucket }), zipCase);
    expect(fromCache).toEqual(fromR2);
  });
});

describe("module proxy in workerd: a module too large for the Worker", () => {
  it("answers 507 saying why, stores nothing, and .info/.mod still work", async () => {
    // A ceiling below this module's archive stands in for one beyond the isolate's 128 MB.
    const app = workerApp({ MODGATE_STORE: bucket }, new SpoolBudget(64));
    const response = await app.fetch(new Request(`https://${HOST}/${HOST}/pub/@v/v1.0.0.zip`));
    expect(response.status).toBe(507);
    expect(await response.text()).toMatch(/^GitLab's archive of this module is larger than the .* MiB the Worker can hold .*modgate on Node/);
    expect(await bucket.get(`${HOST}/pub/@v/v1.0.0.zip`)).toBeNull();
    expect((await app.fetch(new Request(`https://${HOST}/${HOST}/pub/@v/v1.0.0.mod`))).status).toBe(200);
  });
});
