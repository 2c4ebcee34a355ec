/** English display names for codes in sentences. Node's ICU provides them; built lazily so importing has no effect. */
let regions: Intl.DisplayNames | undefined;
let languages: Intl.DisplayNames | undefined;

export function countryName(code: string): string {
  regions ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
  const name = regions.of(code);
  return name && name !== code ? `${name} (${code})` : code;
}

export function languageName(code: string): string {
  languages ??= new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });
  return languages.of(code) ?? code;
}
