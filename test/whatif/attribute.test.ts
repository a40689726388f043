import { describe, expect, it } from 'vitest';
import { attribute } from '../../src/whatif/attribute.js';

const commit = (message: string, parents = 1) => ({
  commit: 'c'.repeat(40),
  parents: Array.from({ length: parents }, (_, i) => String(i).repeat(40)),
  date: '2026-11-01T00:00:00Z',
  message,
  added: [],
});

describe('attributing a landed commit to its pull request from the message GitHub writes', () => {
  it.each([
    [
      'a merge commit, titled by its body',
      commit('Merge pull request #41 from acme/drop\n\nDrop users.legacy', 2),
      { pr: 41, how: 'merge', title: 'Drop users.legacy' },
    ],
    [
      'a merge commit without a body, named by its branch',
      commit('Merge pull request #7 from acme/feature', 2),
      { pr: 7, how: 'merge', title: 'acme/feature' },
    ],
    [
      'a squash merge',
      commit('Clean up users (#42)\n\n* wip\n* wip 2'),
      { pr: 42, how: 'squash', title: 'Clean up users' },
    ],
    ['a direct push', commit('hotfix: email column'), { how: 'direct', title: 'hotfix: email column' }],
    [
      'a merge message on a single-parent commit is not a merge',
      commit('Merge pull request #9 from x/y'),
      { how: 'direct', title: 'Merge pull request #9 from x/y' },
    ],
    [
      'a squash-style subject on a merge commit is not a squash',
      commit('Sync (#3)', 2),
      { how: 'direct', title: 'Sync (#3)' },
    ],
  ])('%s', (_name, landed, expected) => {
    expect(attribute(landed)).toEqual(expected);
  });
});
