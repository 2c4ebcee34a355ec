// Postgres COPY text format (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"):
// tab-separated columns, \N for NULL, and backslash escapes for backslash, newline, carriage return and tab.
// Hand-written because it is the bulk-ingest hot path and the format is small and fully specified; the tests
// round-trip awkward values through a real COPY.

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function copyTextValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const s = typeof value === 'string' ? value : String(value);
  return NEEDS_ESCAPE.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!) : s;
}

const NEEDS_ARRAY_QUOTE = /[{}",\\\s]|^NULL$/i;

/** A text[] literal, e.g. {DE,"New Zealand"}, itself escaped for the COPY stream. */
export function copyTextArray(values: readonly string[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0) literal += ',';
    literal += NEEDS_ARRAY_QUOTE.test(v) || v === '' ? `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"` : v;
  }
  return copyTextValue(`${literal}}`);
}
