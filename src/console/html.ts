/** HTML text that is already safe: what `html` and `raw` return. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escape(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Marks text as safe HTML (only for constants and what `html` built). */
export function raw(text: string): Html {
  return new Html(text);
}

/**
 * A tagged template that escapes every value unless it is already Html; arrays are joined. Every page is built with
 * it, so a value from an agent's hello or a migration's name can never become markup.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    const parts = Array.isArray(value) ? value : [value];
    for (const part of parts)
      out +=
        part instanceof Html ? part.text : part === null || part === undefined || part === false ? '' : escape(part);
    out += strings[i + 1]!;
  });
  return new Html(out);
}
