import { describe, expect, it } from 'vitest';
import { closestName, didYouMean, editDistance } from '../../src/policy/suggest.js';

describe('edit distance', () => {
  it.each([
    ['', '', 0],
    ['dba', '', 3],
    ['testr', 'tester', 1],
    ['tester', 'testers', 1],
    ['hihg', 'high', 1],
    ['kitten', 'sitting', 3],
    ['environment', 'enviroment', 1],
  ])('%s → %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('did you mean', () => {
  const roles = ['workspace-owner', 'dba', 'project-owner', 'developer', 'tester'];
  it('names the closest known name when the word is a typo of it', () => {
    expect(closestName('testr', roles)).toBe('tester');
    expect(closestName('projet-owner', roles)).toBe('project-owner');
    expect(closestName('DBA', roles)).toBe('dba');
    expect(closestName('hihg', ['high', 'moderate', 'low'])).toBe('high');
    expect(didYouMean('enviroment', ['environment', 'database'])).toBe('did you mean "environment"? ');
  });

  it('says nothing when no name is close, or the word is known', () => {
    expect(closestName('nobody', roles)).toBeUndefined();
    expect(closestName('qa', roles)).toBeUndefined();
    expect(closestName('g', ['f'])).toBeUndefined();
    expect(closestName('Qa', ['qa'])).toBe('qa');
    expect(closestName('dba', roles)).toBeUndefined();
    expect(didYouMean('x', [])).toBe('');
  });
});
