/**
 * English display names for codes in sentences. Node's ICU provides them; built lazily so importing has no effect.
 * Each name is kept once looked up: ICU's lookup costs microseconds, and a round's explanations name the same few
 * countries and languages thousands of times.
 */
let regions: Intl.DisplayNames | undefined;
let languages: Intl.DisplayNames | undefined;
const countryNames = new Map<string, string>();
const languageNames = new Map<string, string>();

export function countryName(code: string): string {
  let named = countryNames.get(code);
  if (named === undefined) {
    regions ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
    const name = regions.of(code);
    named = name && name !== code ? `${name} (${code})` : code;
    countryNames.set(code, named);
  }
  return named;
}

export function languageName(code: string): string {
  let named = languageNames.get(code);
  if (named === undefined) {
    languages ??= new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });
    named = languages.of(code) ?? code;
    languageNames.set(code, named);
  }
  return named;
}
