// The formatter is part of the tests: every TypeScript and script file is as
// prettier (pinned in package.json, settings in .prettierrc.json) writes it.
// Fix with `npm run format`.
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as prettier from "prettier";

const ROOT = new URL("../../", import.meta.url);

/** The files prettier owns: what git tracks under these globs. */
function formattedFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--", "src/**/*.ts", "test/**/*.ts", "scripts/**/*.ts", "scripts/**/*.mjs", "*.ts"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return out.split("\n").filter((f) => f !== "");
}

describe("formatting (prettier)", () => {
  it("checks some files", () => {
    expect(formattedFiles().length).toBeGreaterThan(100);
  });

  it("every file is formatted", async () => {
    const unformatted: string[] = [];
    for (const file of formattedFiles()) {
      const path = new URL(file, ROOT).pathname;
      const options = await prettier.resolveConfig(path);
      const text = readFileSync(path, "utf8");
      if (!(await prettier.check(text, { ...options, filepath: path }))) unformatted.push(file);
    }
    expect(unformatted, "run npm run format").toEqual([]);
  }, 120_000);
});
