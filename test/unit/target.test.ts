// splitTarget keeps a request URL's parts raw: "%2F" never turns into "/".
// Its input is always Request.url, which the URL parser has already
// serialised (e.g. an empty path becomes "/"), so the cases go through it too.
import { describe, expect, it } from "vitest";
import { splitTarget } from "../../src/app/answer.js";

describe("splitTarget", () => {
  it.each([
    ["http://go.example.com/tools?go-get=1", { authority: "go.example.com", path: "/tools", query: "go-get=1" }],
    ["https://Go.Example.com:8443/a/b", { authority: "go.example.com:8443", path: "/a/b", query: "" }],
    ["http://go.example.com", { authority: "go.example.com", path: "/", query: "" }],
    ["http://go.example.com?go-get=1", { authority: "go.example.com", path: "/", query: "go-get=1" }],
    ["http://go.example.com/a%2Fb?x=%2F", { authority: "go.example.com", path: "/a%2Fb", query: "x=%2F" }],
    ["http://go.example.com/a?b?c", { authority: "go.example.com", path: "/a", query: "b?c" }],
    ["http://go.example.com/a#frag?x", { authority: "go.example.com", path: "/a", query: "" }],
    ["http://go.example.com/a?go-get=1#frag", { authority: "go.example.com", path: "/a", query: "go-get=1" }],
    ["http://[::1]:8080/x", { authority: "[::1]:8080", path: "/x", query: "" }],
  ])("%s", (url, target) => {
    expect(splitTarget(new Request(url).url)).toEqual(target);
  });
});
