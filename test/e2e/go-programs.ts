// Go source the e2e suites put in their repositories, and the go command
// steps they check, shared so every suite reads and fails the same way.
import { expect } from "vitest";
import type { GoEnv, GoModDownloadInfo } from "./harness/index.js";

/** A package whose Hello() says where it came from. */
export function greeter(pkg: string, says: string): string {
  return `package ${pkg}\n\nfunc Hello() string { return ${JSON.stringify(says)} }\n`;
}

/** main.go that prints pkg.Hello(). */
export function mainCalling(importPath: string): string {
  return `package main\n\nimport (\n\t"fmt"\n\n\tp "${importPath}"\n)\n\nfunc main() { fmt.Println(p.Hello()) }\n`;
}

/**
 * `go get pkg@version` then `go run` of a main package printing pkg.Hello(); returns what it
 * printed. `context` adds to a failure message (e.g. the server's output).
 */
export async function getAndRun(go: GoEnv, pkg: string, version: string, context: () => string = () => ""): Promise<string> {
  const result = await go.goGetAndRun({ pkg, version, mainGo: mainCalling(pkg) });
  expect(result.get.code, `go get ${pkg}@${version}:\n${result.get.stderr}\n${context()}`).toBe(0);
  expect(result.run?.code, `go run:\n${result.run?.stderr}`).toBe(0);
  return result.run!.stdout.trim();
}

/** `go mod download -json module@version`, which must succeed. */
export async function download(go: GoEnv, moduleAtVersion: string, context: () => string = () => ""): Promise<GoModDownloadInfo> {
  const result = await go.goModDownload(moduleAtVersion);
  expect(result.code, `go mod download ${moduleAtVersion}:\n${result.stderr}\n${result.stdout}\n${context()}`).toBe(0);
  return result.info!;
}
