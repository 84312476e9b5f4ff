// The pages modgate serves: compared with hand-written golden pages after
// parsing both, plus the structure the go command relies on, and escaping.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Router } from "../../src/core/router.js";
import { goGetPage, indexPage, installPage } from "../../src/render/pages.js";
import { goImports, goSources, metaTags } from "../contract/meta.js";
import { compiledModule as compiled, handBuilt, staticMatch } from "./configs.js";
import { allElements, attr, findElements, headElements, normalise, parsePage, textOf } from "./html.js";

const GITLAB = "https://gitlab.example.com";

const router = new Router(
  handBuilt([
    compiled("go.example.com/tools", {
      repo: "ssh://git@gitlab.example.com:2222/platform/devtools/tools.git",
      gitlab: { web: `${GITLAB}/platform/devtools/tools`, branch: "trunk", project: `platform/devtools/tools` },
    }),
    compiled("go.example.com/sdk", {
      repo: `${GITLAB}/platform/mono.git`,
      subdir: "sdk/go",
      gitlab: { web: `${GITLAB}/platform/mono`, branch: "main", project: `platform/mono` },
    }),
    compiled("go.example.com/libs/{name}", {
      repo: `${GITLAB}/platform/libs/{name}.git`,
      gitlab: { web: `${GITLAB}/platform/libs/{name}`, branch: "main", project: `platform/libs/{name}` },
    }),
    compiled("go.example.com/secret", {
      repo: `${GITLAB}/platform/secret.git`,
      gitlab: { web: `${GITLAB}/platform/secret`, branch: "main", project: `platform/secret` },
      private: true,
      browser: "gitlab",
    }),
    compiled("go.example.com/web", {
      repo: `${GITLAB}/platform/web.git`,
      gitlab: { web: `${GITLAB}/platform/web`, branch: "main", project: `platform/web` },
      browser: "gitlab",
    }),
    compiled("go.example.com/quiet", { repo: `${GITLAB}/platform/quiet.git`, browser: "none" }),
    compiled("go.other.org/x", { repo: "https://hg.example.org/acme/x", vcs: "hg", private: true, browser: "none" }),
    compiled("go.private.net/p", { repo: "https://git.private.net/p", private: true, browser: "none" }),
  ]),
);

/** The go-get page served for a full import path. */
function goGetPageFor(r: Router, importPath: string): string {
  const match = staticMatch(r, importPath);
  if (!match) throw new Error(`no module for ${importPath}`);
  return match.module.page;
}

function indexFor(r: Router, host: string): string {
  const routes = r.routesFor(host);
  if (!routes) throw new Error(`no host ${host}`);
  return routes.indexPage;
}

function golden(name: string): string {
  return readFileSync(new URL(`../fixtures/golden/${name}`, import.meta.url), "utf8");
}

function expectSamePage(actual: string, goldenName: string): void {
  expect(normalise(parsePage(actual))).toEqual(normalise(parsePage(golden(goldenName))));
}

describe("golden pages", () => {
  it.each([
    ["go.example.com/tools", "go-get-gitlab.html"],
    ["go.example.com/tools/cmd/lint", "go-get-gitlab.html"],
    ["go.example.com/sdk/client", "go-get-subdir.html"],
    ["go.example.com/libs/yaml/decoder", "go-get-template.html"],
    ["go.other.org/x/y", "go-get-private-repo.html"],
  ])("go-get page for %s is %s", (importPath, file) => {
    expectSamePage(goGetPageFor(router, importPath), file);
  });

  it("index page of a host: public modules only, templates as patterns", () => {
    expectSamePage(indexFor(router, "go.example.com"), "index.html");
  });

  it("index page of a host without public modules", () => {
    expectSamePage(indexFor(router, "go.private.net"), "index-empty.html");
  });

  it("install page for browser: none", () => {
    expectSamePage(installPage("go.example.com/quiet/cmd/q", "go.example.com/quiet"), "install.html");
  });

  it("the comparison notices a changed page", () => {
    const changed = goGetPageFor(router, "go.example.com/tools").replace("trunk{/dir}", "main{/dir}");
    expect(() => expectSamePage(changed, "go-get-gitlab.html")).toThrow();
  });
});

describe("what the go command relies on", () => {
  const goGetPaths = ["go.example.com/tools/x", "go.example.com/sdk", "go.example.com/libs/yaml", "go.example.com/secret", "go.other.org/x"];

  describe.each(goGetPaths)("%s", (importPath) => {
    const page = goGetPageFor(router, importPath);
    const document = parsePage(page);

    it("has go-import as the first element in <head>", () => {
      const first = headElements(document)[0]!;
      expect(first.tagName).toBe("meta");
      expect(attr(first, "name")).toBe("go-import");
    });

    it("has meta tags only before the title, and no script anywhere", () => {
      const head = headElements(document).map((e) => e.tagName);
      expect(head.slice(0, head.indexOf("title")).every((t) => t === "meta")).toBe(true);
      expect(findElements(document, "script")).toEqual([]);
      expect(page).not.toMatch(/<script/i);
    });

    it("has exactly one go-import tag, with 3 fields (4 with subdir)", () => {
      const tags = findElements(document, "meta").filter((m) => attr(m, "name") === "go-import");
      expect(tags).toHaveLength(1);
      const fields = attr(tags[0]!, "content")!.split(" ");
      expect(fields).toHaveLength(importPath.startsWith("go.example.com/sdk") ? 4 : 3);
      expect(goImports(page)).toEqual([attr(tags[0]!, "content")]);
    });

    it("has every meta tag before <body> for the go command's tokenizer", () => {
      const beforeBody = metaTags(page).map((t) => t.name);
      const inDocument = findElements(document, "meta")
        .map((m) => attr(m, "name"))
        .filter((n) => n !== undefined);
      expect(beforeBody).toEqual(inDocument);
    });
  });

  it("has a go-source tag for GitLab projects only", () => {
    expect(goSources(goGetPageFor(router, "go.example.com/tools"))).toHaveLength(1);
    expect(goSources(goGetPageFor(router, "go.other.org/x"))).toEqual([]);
  });

  it("links documentation for public modules only", () => {
    expect(goGetPageFor(router, "go.example.com/tools")).toContain("https://pkg.go.dev/go.example.com/tools");
    expect(goGetPageFor(router, "go.example.com/secret")).not.toContain("pkg.go.dev");
  });
});

describe("escaping", () => {
  // The loader would reject all of these; the renderer must escape them anyway.
  const HOSTILE = `"<>&'`;
  const hostileRouter = new Router(
    handBuilt([
      compiled("go.example.com/evil", {
        repo: `https://git.example.com/${HOSTILE}`,
        subdir: `sd${HOSTILE}`,
        gitlab: { web: `${GITLAB}/${HOSTILE}`, branch: `br${HOSTILE}`, project: `${HOSTILE}` },
      }),
      compiled(`go.example.com/x${HOSTILE}`, { repo: "https://git.example.com/x" }),
    ]),
  );
  const page = goGetPageFor(hostileRouter, "go.example.com/evil");

  /** The raw values of every attribute in `html`, as written. */
  function rawAttributeValues(html: string): string[] {
    return [...html.matchAll(/\s[a-z-]+="([^"]*)"/g)].map((m) => m[1]!);
  }

  function expectEscaped(html: string): void {
    expect(html).not.toContain(HOSTILE);
    for (const value of rawAttributeValues(html)) {
      expect(value).not.toMatch(/[<>'"]/);
      expect(value).not.toMatch(/&(?!(amp|lt|gt|quot|#39|#x27|apos);)/);
    }
  }

  it("escapes every value of the go-get page", () => {
    expectEscaped(page);
  });

  it("round-trips the values through an HTML parser", () => {
    const document = parsePage(page);
    const content = (name: string) =>
      attr(
        findElements(document, "meta").find((m) => attr(m, "name") === name)!,
        "content",
      );
    expect(content("go-import")).toBe(`go.example.com/evil git https://git.example.com/${HOSTILE} sd${HOSTILE}`);
    // The ref and subdir are URL path elements, so they are percent-encoded too (issue 9); "&'" may stay.
    expect(content("go-source")).toContain(`${GITLAB}/${HOSTILE}/-/tree/br%22%3C%3E&'/sd%22%3C%3E&'{/dir}`);
    expect(attr(findElements(document, "a")[0]!, "href")).toBe(`${GITLAB}/${HOSTILE}`);
  });

  it("round-trips the values through the go command's tokenizer", () => {
    expect(goImports(page)).toEqual([`go.example.com/evil git https://git.example.com/${HOSTILE} sd${HOSTILE}`]);
  });

  it("injects no element", () => {
    const benign = goGetPageFor(router, "go.example.com/sdk");
    const tags = (html: string) => allElements(parsePage(html)).map((e) => e.tagName);
    expect(tags(page)).toEqual(tags(benign));
  });

  it("escapes the index page", () => {
    const index = indexFor(hostileRouter, "go.example.com");
    expectEscaped(index);
    const document = parsePage(index);
    expect(findElements(document, "code").map(textOf)).toContain(`go.example.com/x${HOSTILE}`);
    expect(findElements(document, "a").map((a) => attr(a, "href"))).toContain(`https://pkg.go.dev/go.example.com/x${HOSTILE}`);
  });

  it("escapes the install page and the page functions' inputs", () => {
    const install = installPage(`go.example.com/q/${HOSTILE}`, `go.example.com/${HOSTILE}`);
    expectEscaped(install);
    expect(textOf(findElements(parsePage(install), "title")[0]!)).toBe(`go.example.com/q/${HOSTILE}`);

    const direct = goGetPage({ root: HOSTILE, goImport: `r git ${HOSTILE}`, goSource: HOSTILE, sourceUrl: HOSTILE, docsUrl: HOSTILE });
    expectEscaped(direct);
    expect(findElements(parsePage(direct), "h1").map(textOf)).toEqual([HOSTILE]);

    const index = indexPage(HOSTILE, [{ pattern: HOSTILE, isTemplate: false, href: HOSTILE }]);
    expectEscaped(index);
    expect(findElements(parsePage(index), "pre").map(textOf)).toEqual([`go get ${HOSTILE}`]);
  });
});
