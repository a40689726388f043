import { describe, expect, it } from 'vitest';
import { evaluateApprovals } from '../../src/approval/evaluate.js';
import type { ApprovalInput, Review, TeamMembers } from '../../src/approval/types.js';
import type { ApprovalFlow, FlowStep, Role, StaleApprovals } from '../../src/policy/types.js';

const role = (id: string, title: string, members: string[]): Role => ({ id, title, builtin: false, members });
const ROLES: Role[] = [
  role('workspace-owner', 'Workspace Owner', ['alice']),
  role('project-owner', 'Project Owner', ['olivia', 'dana']),
  role('dba', 'DBA', ['dana', 'dave', 'acme/dba-team']),
  role('tester', 'Tester', ['tom', 'tina']),
  role('developer', 'Developer', ['devon']),
  role('qa', 'QA', []),
  role('solo', 'Solo', ['devon']),
];
const TEAMS = new Map<string, TeamMembers>([['acme/dba-team', { members: ['Dora'] }]]);

function flow(steps: (string | FlowStep)[], options: Partial<ApprovalFlow> = {}): ApprovalFlow {
  const list = steps.map((s) => (typeof s === 'string' ? { role: s, count: 1 } : s));
  return {
    id: 'f',
    title: 'F',
    steps: list as [FlowStep, ...FlowStep[]],
    order: 'strict',
    allowSamePersonInSteps: false,
    blockOnChangesRequested: true,
    ...options,
  };
}
const SEED = flow(['tester', 'project-owner', 'dba']);

/** `who state minute [commit]`, e.g. `tom APPROVED 1` or `dana APPROVED 5 c1`. */
function reviews(...lines: string[]): Review[] {
  return lines.map((line, i) => {
    const [user = '', state = '', minute = '0', commit = 'head'] = line.split(' ');
    return {
      id: i + 1,
      user: user === 'ghost' ? null : user,
      state: state as Review['state'],
      submittedAt: new Date(Date.UTC(2026, 10, 25, 9, Number(minute))).toISOString(),
      commitId: commit,
    };
  });
}

const FINGERPRINTS: Record<string, string> = { head: 'F2', c1: 'F1', docs: 'F2' };

function run(f: ApprovalFlow, rs: Review[], over: Partial<ApprovalInput> = {}) {
  return evaluateApprovals({
    flow: f,
    roles: ROLES,
    teams: TEAMS,
    author: 'devon',
    contributors: [],
    reviews: rs,
    headSha: 'head',
    staleApprovals: 'on-sql-change' as StaleApprovals,
    fingerprintAt: (c) => FINGERPRINTS[c],
    ...over,
  });
}

const states = (r: ReturnType<typeof run>) =>
  r.steps.map((s) => `${s.role}:${s.status}:${s.approvals.map((a) => a.login).join('+')}`);
const ignored = (r: ReturnType<typeof run>) => r.ignored.map((x) => `${x.login}:${x.reason}`);

describe('ordered approvals', () => {
  it.each<[string, ApprovalFlow, Review[], Partial<ApprovalInput>, string[], string[], boolean]>([
    [
      'the seed flow Tester → Project Owner → DBA is satisfied by three approvals in order',
      SEED,
      reviews('tom APPROVED 1', 'olivia APPROVED 2', 'dave APPROVED 3'),
      {},
      ['tester:satisfied:tom', 'project-owner:satisfied:olivia', 'dba:satisfied:dave'],
      [],
      true,
    ],
    [
      'with no reviews the first step waits and the rest are not yet reachable',
      SEED,
      [],
      {},
      ['tester:waiting:', 'project-owner:not-yet-reachable:', 'dba:not-yet-reachable:'],
      [],
      false,
    ],
    [
      'strict: an approval submitted before the previous step was satisfied does not count',
      SEED,
      reviews('dave APPROVED 1', 'tom APPROVED 2', 'olivia APPROVED 3'),
      {},
      ['tester:satisfied:tom', 'project-owner:satisfied:olivia', 'dba:waiting:'],
      ['dave:too-early'],
      false,
    ],
    [
      'strict: approving again after the early approval counts, and the early one is not reported',
      SEED,
      reviews('dave APPROVED 1', 'tom APPROVED 2', 'olivia APPROVED 3', 'dave APPROVED 4'),
      {},
      ['tester:satisfied:tom', 'project-owner:satisfied:olivia', 'dba:satisfied:dave'],
      [],
      true,
    ],
    [
      'any order: the steps may be approved in reverse',
      flow(['tester', 'project-owner', 'dba'], { order: 'any' }),
      reviews('dave APPROVED 1', 'olivia APPROVED 2', 'tom APPROVED 3'),
      {},
      ['tester:satisfied:tom', 'project-owner:satisfied:olivia', 'dba:satisfied:dave'],
      [],
      true,
    ],
    [
      'any order: a person in two roles fills the slot that leaves the other to someone else (bytebase#19172)',
      flow(['project-owner', 'dba'], { order: 'any' }),
      reviews('dana APPROVED 1', 'dave APPROVED 2'),
      {},
      ['project-owner:satisfied:dana', 'dba:satisfied:dave'],
      [],
      true,
    ],
    [
      'strict: an early approval never wastes a person a later step needs',
      flow(['project-owner', 'dba']),
      reviews('dana APPROVED 1', 'olivia APPROVED 2', 'dana APPROVED 3'),
      {},
      ['project-owner:satisfied:olivia', 'dba:satisfied:dana'],
      [],
      true,
    ],
    [
      'separation of duties: one person satisfies at most one step',
      flow(['project-owner', 'dba']),
      reviews('dana APPROVED 1', 'dana APPROVED 2'),
      {},
      ['project-owner:satisfied:dana', 'dba:waiting:'],
      ['dana:same-person'],
      false,
    ],
    [
      'allowSamePersonInSteps lets one person approve two steps with two reviews',
      flow(['project-owner', 'dba'], { allowSamePersonInSteps: true }),
      reviews('dana APPROVED 1', 'dana APPROVED 2'),
      {},
      ['project-owner:satisfied:dana', 'dba:satisfied:dana'],
      [],
      true,
    ],
    [
      'a step with count 2 needs two distinct members',
      flow([{ role: 'dba', count: 2 }]),
      reviews('dana APPROVED 1', 'dana APPROVED 2'),
      {},
      ['dba:waiting:dana'],
      ['dana:same-person'],
      false,
    ],
    [
      'a step with count 2 is satisfied by two members',
      flow([{ role: 'dba', count: 2 }]),
      reviews('dana APPROVED 1', 'dave APPROVED 2'),
      {},
      ['dba:satisfied:dana+dave'],
      [],
      true,
    ],
    [
      'the author approving their own PR does not count',
      flow(['solo']),
      reviews('devon APPROVED 1'),
      {},
      ['solo:unsatisfiable:'],
      ['devon:author'],
      false,
    ],
    [
      'a contributor (pushed or authored a commit of the PR) cannot approve',
      flow(['project-owner', 'dba']),
      reviews('olivia APPROVED 1', 'dave APPROVED 2'),
      {
        contributors: [
          { login: 'Dave', commit: 'c2', pushed: true },
          { login: 'olivia', commit: 'c3', pushed: false },
        ],
      },
      ['project-owner:waiting:', 'dba:not-yet-reachable:'],
      ['olivia:contributor', 'dave:contributor'],
      false,
    ],
    [
      'an approval from someone outside the flow roles does not count',
      flow(['dba']),
      reviews('alice APPROVED 1'),
      {},
      ['dba:waiting:'],
      ['alice:not-a-member'],
      false,
    ],
    [
      'an approval followed by changes requested is withdrawn',
      flow(['dba']),
      reviews('dave APPROVED 1', 'dave CHANGES_REQUESTED 2'),
      {},
      ['dba:waiting:'],
      ['dave:withdrawn'],
      false,
    ],
    [
      'approving again after requesting changes counts',
      flow(['dba']),
      reviews('dave APPROVED 1', 'dave CHANGES_REQUESTED 2', 'dave APPROVED 3'),
      {},
      ['dba:satisfied:dave'],
      ['dave:withdrawn'],
      true,
    ],
    [
      'a dismissed review does not count',
      flow(['dba']),
      reviews('dave DISMISSED 1'),
      {},
      ['dba:waiting:'],
      ['dave:withdrawn'],
      false,
    ],
    [
      'a comment after an approval does not withdraw it',
      flow(['dba']),
      reviews('dave APPROVED 1', 'dave COMMENTED 2'),
      {},
      ['dba:satisfied:dave'],
      [],
      true,
    ],
    [
      'a review from a deleted (ghost) account does not count',
      flow(['dba']),
      reviews('ghost APPROVED 1'),
      {},
      ['dba:waiting:'],
      ['(deleted user):ghost'],
      false,
    ],
    [
      'on-sql-change: an approval of a commit whose SQL differs from the head is stale',
      flow(['dba']),
      reviews('dave APPROVED 1 c1'),
      {},
      ['dba:waiting:'],
      ['dave:stale'],
      false,
    ],
    [
      'on-sql-change: a push that changes only docs keeps the approval',
      flow(['dba']),
      reviews('dave APPROVED 1 docs'),
      {},
      ['dba:satisfied:dave'],
      [],
      true,
    ],
    [
      'on-sql-change: an approval of a commit no longer in the history is stale (fail closed)',
      flow(['dba']),
      reviews('dave APPROVED 1 gone'),
      {},
      ['dba:waiting:'],
      ['dave:stale'],
      false,
    ],
    [
      'on-push: any new head commit makes an approval stale',
      flow(['dba']),
      reviews('dave APPROVED 1 docs'),
      { staleApprovals: 'on-push' },
      ['dba:waiting:'],
      ['dave:stale'],
      false,
    ],
    [
      'keep: approvals never go stale',
      flow(['dba']),
      reviews('dave APPROVED 1 c1'),
      { staleApprovals: 'keep' },
      ['dba:satisfied:dave'],
      [],
      true,
    ],
    [
      'a role with no members fails closed',
      flow(['qa']),
      reviews('alice APPROVED 1'),
      {},
      ['qa:unsatisfiable:'],
      ['alice:not-a-member'],
      false,
    ],
    [
      'a member of a team role counts',
      flow(['dba']),
      reviews('dora APPROVED 1'),
      {},
      ['dba:satisfied:dora'],
      [],
      true,
    ],
    [
      'a team that cannot be read holds no one',
      flow(['dba']),
      reviews('dora APPROVED 1'),
      {
        teams: new Map([
          ['acme/dba-team', { error: 'cannot read team acme/dba-team: the token needs members: read' }],
        ]),
      },
      ['dba:waiting:'],
      ['dora:not-a-member'],
      false,
    ],
    [
      'logins compare case-insensitively',
      flow(['dba']),
      reviews('Dave APPROVED 1'),
      {},
      ['dba:satisfied:dave'],
      [],
      true,
    ],
    [
      'a second approval for a full step is surplus',
      flow(['tester', 'dba']),
      reviews('tom APPROVED 1', 'tina APPROVED 2'),
      {},
      ['tester:satisfied:tom', 'dba:waiting:'],
      ['tina:surplus'],
      false,
    ],
  ])('%s', (_name, f, rs, over, expectedSteps, expectedIgnored, satisfied) => {
    const result = run(f, rs, over);
    expect(states(result)).toEqual(expectedSteps);
    expect(ignored(result)).toEqual(expectedIgnored);
    expect(result.state === 'approved').toBe(satisfied);
  });
});

describe('what the result says', () => {
  it('names the step waiting and who may approve it, excluding the author and people used elsewhere', () => {
    const result = run(flow(['project-owner', 'dba']), reviews('dana APPROVED 1'), {});
    expect(result.summary).toBe('waiting for DBA (0 of 1)');
    expect(result.steps[1]?.eligible).toEqual(['dave', 'dora']);
  });

  it('explains each approval that did not count', () => {
    const result = run(SEED, reviews('dave APPROVED 1', 'devon APPROVED 2', 'tom APPROVED 3 c1'), {});
    expect(result.ignored.map((x) => x.explanation)).toEqual([
      'too early: approved before Project Owner had approved; approve again',
      'the author of a pull request cannot approve it',
      'stale: the migrations or policies changed after it; approve the current version',
    ]);
  });

  it('says why a flow cannot be approved at all', () => {
    expect(run(flow(['qa']), []).summary).toBe('cannot be approved: no one holds role qa');
    expect(run(flow(['solo']), []).steps[0]?.notes).toEqual(['no one but the author holds role solo']);
  });

  it('names the commit a contributor pushed or authored, and leaves contributors out of who may approve', () => {
    const result = run(flow(['dba']), reviews('dave APPROVED 1'), {
      contributors: [
        { login: 'dave', commit: 'abcdef0123', pushed: false },
        { login: 'dave', commit: '9876543210', pushed: true },
      ],
    });
    expect(result.ignored.map((x) => x.explanation)).toEqual([
      'dave pushed commit 9876543 to this PR; contributors cannot approve it',
    ]);
    expect(result.steps[0]?.eligible).toEqual(['dana', 'dora']);
  });

  it('a step only contributors and the author hold cannot be approved', () => {
    const result = run(flow(['tester']), [], {
      contributors: [{ login: 'tom', commit: 'c1', pushed: true }],
      roles: [role('tester', 'Tester', ['tom', 'devon'])],
    });
    expect(result.state).toBe('blocked');
    expect(result.summary).toBe(
      'cannot be approved: no one but the author and contributors of this PR holds role tester',
    );
  });

  it.each<[string, Review[], Partial<ApprovalFlow>, string]>([
    [
      'a standing request for changes from a flow member blocks',
      reviews('dave CHANGES_REQUESTED 1'),
      {},
      'rejected by @dave',
    ],
    [
      'it blocks even when every step is satisfied',
      reviews('dana CHANGES_REQUESTED 1', 'tom APPROVED 2', 'olivia APPROVED 3', 'dave APPROVED 4'),
      {},
      'rejected by @dana',
    ],
    [
      'a later comment leaves the request standing',
      reviews('dave CHANGES_REQUESTED 1', 'dave COMMENTED 2'),
      {},
      'rejected by @dave',
    ],
    [
      'approving afterwards lifts it',
      reviews('dave CHANGES_REQUESTED 1', 'dave APPROVED 2'),
      {},
      'waiting for Tester (0 of 1)',
    ],
    ['a dismissed request does not block', reviews('dave DISMISSED 1'), {}, 'waiting for Tester (0 of 1)'],
    [
      'someone outside the flow roles does not block',
      reviews('alice CHANGES_REQUESTED 1'),
      {},
      'waiting for Tester (0 of 1)',
    ],
    [
      'blockOnChangesRequested: false ignores it',
      reviews('dave CHANGES_REQUESTED 1'),
      { blockOnChangesRequested: false },
      'waiting for Tester (0 of 1)',
    ],
  ])('%s', (_name, rs, options, summary) => {
    const result = run(flow(['tester', 'project-owner', 'dba'], options), rs);
    expect(result.summary).toBe(summary);
    expect(result.state).toBe(summary.startsWith('rejected') ? 'blocked' : 'waiting');
  });

  it('lists who approved a satisfied flow', () => {
    const result = run(SEED, reviews('tom APPROVED 1', 'olivia APPROVED 2', 'dave APPROVED 3'));
    expect(result.summary).toBe('approved by tom, olivia, dave');
    expect(result.steps.map((s) => s.satisfiedAt)).toEqual([
      '2026-11-25T09:01:00.000Z',
      '2026-11-25T09:02:00.000Z',
      '2026-11-25T09:03:00.000Z',
    ]);
  });
});
