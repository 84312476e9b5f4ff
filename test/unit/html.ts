// HTML helpers for the render tests, on parse5 (a spec-compliant HTML parser).
import { parse, type DefaultTreeAdapterTypes, type ParserError } from "parse5";

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;
export type Document = DefaultTreeAdapterTypes.Document;

/** Parses a whole page; throws on any HTML parse error (missing doctype, stray tags…). */
export function parsePage(html: string): Document {
  const errors: ParserError[] = [];
  const document = parse(html, { onParseError: (e) => errors.push(e) });
  if (errors.length > 0) {
    throw new Error(`HTML parse errors: ${errors.map((e) => `${e.code} at ${e.startLine}:${e.startCol}`).join(", ")}`);
  }
  return document;
}

function isElement(node: Node): node is Element {
  return "tagName" in node;
}

function childrenOf(node: Node): Node[] {
  return "childNodes" in node ? (node.childNodes as Node[]) : [];
}

/** Every element under `node`, in document order. */
export function allElements(node: Node): Element[] {
  const out: Element[] = [];
  for (const child of childrenOf(node)) {
    if (isElement(child)) out.push(child);
    out.push(...allElements(child));
  }
  return out;
}

export function attr(element: Element, name: string): string | undefined {
  return element.attrs.find((a) => a.name === name)?.value;
}

export function findElements(document: Document, tagName: string): Element[] {
  return allElements(document).filter((e) => e.tagName === tagName);
}

/** The element children of <head>, in order. */
export function headElements(document: Document): Element[] {
  const head = findElements(document, "head")[0];
  if (!head) throw new Error("no <head>");
  return head.childNodes.filter(isElement);
}

/** All text of an element, as a parser sees it (entities decoded). */
export function textOf(node: Node): string {
  if (node.nodeName === "#text") return (node as DefaultTreeAdapterTypes.TextNode).value;
  return childrenOf(node).map(textOf).join("");
}

const collapse = (s: string) => s.replace(/\s+/g, " ").trim();

/**
 * A comparable form of a document: elements with sorted attributes, text with
 * whitespace collapsed (whitespace-only text dropped), comments dropped. The
 * content of <meta> tags is whitespace-collapsed too: the go command splits
 * it on whitespace, so line breaks in it mean nothing.
 */
export function normalise(node: Node): unknown {
  if (node.nodeName === "#comment") return undefined;
  if (node.nodeName === "#text") {
    const text = collapse((node as DefaultTreeAdapterTypes.TextNode).value);
    return text === "" ? undefined : text;
  }
  if (node.nodeName === "#documentType") return { doctype: (node as DefaultTreeAdapterTypes.DocumentType).name };
  const children = childrenOf(node)
    .map(normalise)
    .filter((c) => c !== undefined);
  if (!isElement(node)) return children;
  const attrs = node.attrs
    .map((a) => [a.name, node.tagName === "meta" && a.name === "content" ? collapse(a.value) : a.value])
    .sort(([a], [b]) => (a! < b! ? -1 : 1));
  return { tag: node.tagName, attrs, children };
}
