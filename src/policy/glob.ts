import picomatch from 'picomatch';

const compiled = new Map<string, (value: string) => boolean>();

export function isGlob(pattern: string): boolean {
  return /[*?[\]]/.test(pattern);
}

/** Shell-style glob: `*` and `?` do not cross `/`, `**` does; case-sensitive like GitHub refs and paths. */
export function matchesGlob(value: string, pattern: string): boolean {
  if (!isGlob(pattern)) return value === pattern;
  let test = compiled.get(pattern);
  if (!test) {
    test = picomatch(pattern, { dot: true });
    compiled.set(pattern, test);
  }
  return test(value);
}
