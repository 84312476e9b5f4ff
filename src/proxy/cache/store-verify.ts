// `modgate store verify`: every zip the store keeps, re-hashed and held
// against its record (zip-record.ts: the h1 and size written when it was
// built). A zip that is not what its record says would be refused by every
// go command that has its sum in go.sum, or — worse — accepted by one that
// has not. With `fix`, each bad version is removed whole (.zip, .ziphash,
// .info, .mod), so its next download builds all of it again from one commit.
import type { ContentStore } from "../store/store.js";
import { storedZipHash } from "../store/zip-hash.js";
import { unescapePath, unescapeVersion } from "../../module/escape.js";
import { parseZipRecord, zipRecordKey } from "./zip-record.js";

export interface BadVersion {
  /** module@version, unescaped (the store key when it does not parse). */
  name: string;
  /** The store key of the zip. */
  key: string;
  why: string;
  /** Whether it was removed (fix). */
  removed: boolean;
}

export interface VerifyReport {
  /** Versions with a zip or a zip record in the store. */
  checked: number;
  bad: BadVersion[];
}

export interface VerifyOptions {
  /** Remove each bad version. */
  fix?: boolean;
  /** Each bad version as it is found (and removed). */
  onBad?: (bad: BadVersion) => void;
}

const ZIP = ".zip";
const RECORD = zipRecordKey(ZIP);

export async function verifyStore(store: ContentStore, o: VerifyOptions = {}): Promise<VerifyReport> {
  if (!store.list) throw new Error("this content store cannot list what it holds");
  // Zip keys, from either file: a record without its zip is a version too.
  const zips = new Set<string>();
  const present = new Set<string>();
  for await (const key of store.list("")) {
    if (!key.includes("/@v/")) continue;
    if (key.endsWith(ZIP)) {
      zips.add(key);
      present.add(key);
    } else if (key.endsWith(RECORD)) {
      zips.add(key.slice(0, -RECORD.length) + ZIP);
    }
  }
  const report: VerifyReport = { checked: 0, bad: [] };
  for (const key of [...zips].sort()) {
    report.checked++;
    const why = await problemOf(store, key, present.has(key));
    if (why === undefined) continue;
    if (o.fix) await removeVersion(store, key);
    const bad: BadVersion = { name: versionName(key), key, why, removed: o.fix === true };
    report.bad.push(bad);
    o.onBad?.(bad);
  }
  return report;
}

/** Why the version's zip is not what its record says; undefined when it is. */
async function problemOf(store: ContentStore, key: string, hasZip: boolean): Promise<string | undefined> {
  const zip = hasZip ? await store.get(key) : undefined;
  const stored = await store.get(zipRecordKey(key));
  if (!zip) return stored ? "a recorded h1 but no zip" : undefined; // removed since it was listed
  if (!stored) return "no recorded h1 (its build never recorded one)";
  const record = parseZipRecord(await stored.bytes());
  if (!record) return "its record (.ziphash) is damaged";
  if (record.size !== undefined && record.size !== zip.size) return `${zip.size} bytes, recorded ${record.size}`;
  let h1: string;
  try {
    h1 = await storedZipHash(zip, store.spool());
  } catch (err) {
    return `not a readable zip: ${(err as Error).message}`;
  }
  return h1 === record.h1 ? undefined : `its files hash to ${h1}, recorded ${record.h1}`;
}

/** The zip first: stopped after it, the version is built again and a stale record is what the next verify reports. */
async function removeVersion(store: ContentStore, zipKey: string): Promise<void> {
  const base = zipKey.slice(0, -ZIP.length);
  await store.delete(zipKey);
  await store.delete(zipRecordKey(zipKey));
  await store.delete(`${base}.info`);
  await store.delete(`${base}.mod`);
}

/** `<escaped module>[/@p/<project id>]/@v/<escaped version>.zip` → module@version (the key, printed beside it, names the project). */
function versionName(zipKey: string): string {
  const at = zipKey.lastIndexOf("/@v/");
  const project = /\/@p\/(\d+)$/.exec(zipKey.slice(0, at));
  try {
    return `${unescapePath(zipKey.slice(0, project ? project.index : at))}@${unescapeVersion(zipKey.slice(at + 4, -ZIP.length))}`;
  } catch {
    return zipKey;
  }
}
