// Reads meta tags the way the go command does (cmd/go/internal/vcs
// parseMetaGoImports): a forgiving XML tokenizer that stops at the first
// <body> or </head>, case-insensitive element and attribute names, the `name`
// value compared exactly, XML entities decoded, and a raw "<" inside a quoted
// attribute value treated as the fatal syntax error it is for Go's decoder.
//
// Runtime-agnostic on purpose: the contract cases that use it also run inside
// Cloudflare workerd, so nothing here may import Node modules.

export interface MetaTag {
  name: string;
  content: string;
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes the entities Go's XML decoder knows; anything else stays as written. */
export function decodeXmlEntities(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return XML_ENTITIES[ref] ?? whole;
  });
}

function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const re = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (const m of source.matchAll(re)) {
    const raw = m[2] ?? m[3] ?? m[4] ?? "";
    if (raw.includes("<")) throw new Error(`unescaped < inside an attribute value: ${JSON.stringify(m[0])}`);
    attributes.set(m[1]!.toLowerCase(), decodeXmlEntities(raw));
  }
  return attributes;
}

/** The <meta name=... content=...> tags before <body> or </head>, in order. */
export function metaTags(html: string): MetaTag[] {
  const tags: MetaTag[] = [];
  // Comments, directives (<!DOCTYPE>), processing instructions, then tags whose
  // quoted attribute values may hold anything but their own quote.
  const token = /<!--[\s\S]*?-->|<![^>]*>|<\?[\s\S]*?\?>|<(\/?)([A-Za-z][^\s/>]*)((?:"[^"]*"|'[^']*'|[^'">])*)>/g;
  for (const m of html.matchAll(token)) {
    const [, slash, rawName, rest = ""] = m;
    if (rawName === undefined) continue;
    const name = rawName.toLowerCase();
    if (slash === "" && name === "body") break;
    if (slash === "/" && name === "head") break;
    if (slash === "/" || name !== "meta") continue;
    const attributes = parseAttributes(rest);
    const metaName = attributes.get("name");
    if (metaName !== undefined) tags.push({ name: metaName, content: attributes.get("content") ?? "" });
  }
  return tags;
}

/**
 * The content of every go-import tag the go command would use: name exactly
 * "go-import" and 3 or 4 whitespace-separated fields (others are dropped).
 */
export function goImports(html: string): string[] {
  return metaTags(html)
    .filter((t) => t.name === "go-import")
    .map((t) => t.content)
    .filter((content) => {
      const fields = content.trim().split(/\s+/).length;
      return fields === 3 || fields === 4;
    });
}

/** The content of every go-source tag before <body>. */
export function goSources(html: string): string[] {
  return metaTags(html)
    .filter((t) => t.name === "go-source")
    .map((t) => t.content);
}
