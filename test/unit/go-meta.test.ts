// The go-command-like meta tag reader the contract relies on must itself
// read pages the way cmd/go does (see test/contract/meta.ts).
import { describe, expect, it } from "vitest";
import { goImports, metaTags } from "../contract/meta.js";

const TAG = '<meta name="go-import" content="a.b/c git https://a.b/c.git">';

describe("go-like meta tag reader", () => {
  it("reads tags in <head>", () => {
    expect(goImports(`<!DOCTYPE html><html><head>${TAG}</head></html>`)).toEqual(["a.b/c git https://a.b/c.git"]);
  });

  it("stops at <body> and at </head>", () => {
    expect(goImports(`<html><head></head>${TAG}`)).toEqual([]);
    expect(goImports(`<html><body>${TAG}</body>`)).toEqual([]);
    expect(goImports(`<html><BODY class="x">${TAG}`)).toEqual([]);
  });

  it("takes element and attribute names in any case, the name value exactly", () => {
    expect(goImports('<META NAME="go-import" CONTENT="a.b/c git https://a.b/c">')).toEqual(["a.b/c git https://a.b/c"]);
    expect(goImports('<meta name="Go-Import" content="a.b/c git https://a.b/c">')).toEqual([]);
  });

  it("drops go-import tags without 3 or 4 fields", () => {
    expect(goImports('<meta name="go-import" content="a.b/c git">')).toEqual([]);
    expect(goImports('<meta name="go-import" content="a.b/c git https://a.b/c sub extra">')).toEqual([]);
    expect(goImports('<meta name="go-import" content="a.b/c git https://a.b/c sub">')).toEqual(["a.b/c git https://a.b/c sub"]);
  });

  it("decodes XML entities and skips comments and doctypes", () => {
    expect(metaTags('<!DOCTYPE html><!-- <meta name="x" content="y"> --><meta name=\'n\' content="&lt;&amp;&#39;&quot;&gt;">')).toEqual([
      { name: "n", content: `<&'">` },
    ]);
  });

  it("fails on a raw < inside an attribute value, like Go's XML decoder", () => {
    expect(() => metaTags('<meta name="go-import" content="a.b/c git https://a.b/<c">')).toThrow(/unescaped </);
  });
});
