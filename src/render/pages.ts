// The HTML modgate serves. The go command reads these with an XML tokenizer
// that stops at <body>: the meta tags come first in <head>, and no page has
// a script (a raw "<" in one would break the go command's parser).
import { html, joinHtml, type SafeHtml } from "./escape.js";

export interface GoGetPageInput {
  root: string;
  goImport: string;
  goSource?: string;
  /** Where a person can read the source: the GitLab project or the repository URL. */
  sourceUrl: string;
  /** Documentation link, when the module is public. */
  docsUrl?: string;
}

function page(title: string, head: SafeHtml, body: SafeHtml): string {
  const tags =
    head.value === ""
      ? html``
      : html`${head}
`;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
${tags}<meta charset="utf-8">
<title>${title}</title>
</head>
<body>
${body}
</body>
</html>
`.value;
}

/** The answer to `?go-get=1` inside a module. */
export function goGetPage(p: GoGetPageInput): string {
  const tags = [html`<meta name="go-import" content="${p.goImport}">`];
  if (p.goSource !== undefined) tags.push(html`<meta name="go-source" content="${p.goSource}">`);
  const body = [html`<h1>${p.root}</h1>`, html`<pre>go get ${p.root}</pre>`, html`<p>Source: <a href="${p.sourceUrl}">${p.sourceUrl}</a></p>`];
  if (p.docsUrl !== undefined) body.push(html`<p>Documentation: <a href="${p.docsUrl}">${p.docsUrl}</a></p>`);
  return page(p.root, joinHtml(tags), joinHtml(body));
}

/** What a browser sees inside a module whose rule says `browser: none`. */
export function installPage(importPath: string, root: string): string {
  return page(importPath, html``, joinHtml([html`<h1>${importPath}</h1>`, html`<p>Module <code>${root}</code></p>`, html`<pre>go get ${importPath}</pre>`]));
}

export interface IndexEntry {
  /** The rule as written; templates keep their {variables}. */
  pattern: string;
  isTemplate: boolean;
  /** For group rules: the GitLab group whose projects it serves. */
  group?: string;
  /** A link for people, when the module has one. */
  href?: string;
}

/** The `/` page of a host: its public modules. */
export function indexPage(host: string, entries: readonly IndexEntry[]): string {
  const items = entries.map((e) => {
    const name = e.href === undefined ? html`<code>${e.pattern}</code>` : html`<a href="${e.href}"><code>${e.pattern}</code></a>`;
    const note =
      e.group !== undefined
        ? html` <small>({project} is the path of any project below GitLab group ${e.group}, at any depth)</small>`
        : e.isTemplate
          ? html` <small>(pattern: each {name} is one path element)</small>`
          : html``;
    return html`<li>${name}${note}<pre>go get ${e.pattern}</pre></li>`;
  });
  const list =
    items.length === 0
      ? html`<p>No public modules.</p>`
      : html`<ul>
${joinHtml(items)}
</ul>`;
  return page(host, html``, joinHtml([html`<h1>Go modules at ${host}</h1>`, list]));
}
