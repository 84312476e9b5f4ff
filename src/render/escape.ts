const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for use in HTML element content and double- or single-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/** Tagged template that HTML-escapes every interpolated value. */
export function html(strings: TemplateStringsArray, ...values: Array<string | number | SafeHtml>): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out += (v instanceof SafeHtml ? v.value : escapeHtml(String(v))) + strings[i + 1]!;
  }
  return new SafeHtml(out);
}

/** HTML that has already been escaped; only `html` and `join` make these. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function joinHtml(parts: SafeHtml[], separator = "\n"): SafeHtml {
  return new SafeHtml(parts.map((p) => p.value).join(separator));
}
