// "Did you mean …?" for a name that names nothing: the closest known name by edit distance, so a
// typo in a role, flow, fact or level reads as one instead of as a list to search by eye.

/**
 * Optimal string alignment distance: Levenshtein's insertions, deletions and substitutions, plus
 * a swap of two adjacent letters as one edit (`hihg` → `high` is one typo, not two).
 */
export function editDistance(a: string, b: string): number {
  const cols = b.length + 1;
  const d: number[] = [];
  const get = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i <= a.length; i++) {
    for (let j = 0; j <= b.length; j++) {
      if (i === 0 || j === 0) {
        d[i * cols + j] = i + j;
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(get(i - 1, j) + 1, get(i, j - 1) + 1, get(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, get(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return get(a.length, b.length);
}

/**
 * The known name closest to `word`, when it is close enough to be a typo of it: at most one edit
 * per three letters, compared without case (a one- or two-letter name is
 * only matched up to case: `g` is not a typo of `f`). Ties go to the first known name.
 */
export function closestName(word: string, known: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.floor(w.length / 3);
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    if (name === word) continue;
    const distance = editDistance(w, name.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** `did you mean "tester"? ` to put before a list of known names, or '' when nothing is close. */
export function didYouMean(word: string, known: readonly string[]): string {
  const name = closestName(word, known);
  return name === undefined ? '' : `did you mean "${name}"? `;
}
