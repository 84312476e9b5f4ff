// `modgate --version`: the version of package.json, the one npm publishes, read
// at run time so it cannot drift from a copy. dist/node/version.js and src/node/version.ts
// both sit two directories below the package root.
import { readFileSync } from "node:fs";

export function packageVersion(): string {
  const file = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}
