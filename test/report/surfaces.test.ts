// What the CLI and the Action show besides the plan: errors, annotations and a deploy's outcome,
// each rendered from a result object by report/ (the surfaces only hand the lines on).
import { describe, expect, it } from 'vitest';
import type { DatabaseReport } from '../../src/deploy/apply.js';
import { Diagnostic, InputError } from '../../src/errors.js';
import { diagnosticAnnotations, riskAnnotations } from '../../src/report/annotations.js';
import { deployedOutput, deployProblems, rolloutText } from '../../src/report/deploy.js';
import { errorComment, errorHeadline, errorLines, failureMessage } from '../../src/report/errors.js';
import { planOf, SEED_PR } from '../support/seed-plan.js';

const twoProblems = new InputError([
  new Diagnostic('policies/roles.yaml', 7, 11, 'unknown role "qa"'),
  new Diagnostic('migrations/test_db/add.sql', 0, 0, 'bad migration name'),
]);

describe('errors', () => {
  it('the CLI prints each diagnostic compiler-style, then the count', () => {
    expect(errorLines(twoProblems)).toEqual([
      'policies/roles.yaml:7:11: unknown role "qa"',
      'migrations/test_db/add.sql: bad migration name',
      '2 errors',
    ]);
    expect(errorLines(new InputError([new Diagnostic('a.yaml', 1, 1, 'x')])).at(-1)).toBe('1 error');
  });

  it('an error without a location is one line', () => {
    expect(errorLines(new InputError('--env ID is required'))).toEqual(['sqlgate: --env ID is required']);
    expect(errorLines(new Error('connection refused'))).toEqual(['sqlgate: connection refused']);
    expect(errorLines('thrown text')).toEqual(['sqlgate: thrown text']);
  });

  it("the Action's failure lists every diagnostic under one prefix", () => {
    expect(failureMessage(twoProblems)).toBe(
      'sqlgate: policies/roles.yaml:7:11: unknown role "qa"\nmigrations/test_db/add.sql: bad migration name',
    );
    expect(failureMessage(new Error('boom'))).toBe('sqlgate: boom');
  });

  it('the status headline is the first problem on one line', () => {
    expect(errorHeadline(twoProblems)).toBe('policies/roles.yaml:7:11: unknown role "qa"');
    expect(errorHeadline(new InputError('first line\nsecond line'))).toBe('first line');
  });

  it('the PR comment says nothing can be approved and lists what to fix', () => {
    expect(errorComment(twoProblems).split('\n')).toEqual([
      '## sqlgate: ❌ cannot evaluate this pull request',
      '',
      'Fix these and push again; nothing can be approved until then:',
      '',
      '- `policies/roles.yaml:7:11: unknown role "qa"`',
      '- `migrations/test_db/add.sql: bad migration name`',
      '',
    ]);
  });
});

describe('annotations', () => {
  it('a high-risk line is a warning annotation naming the rule; a low-risk one gets none', () => {
    expect(riskAnnotations(planOf(SEED_PR))).toEqual([
      {
        level: 'warning',
        message: 'ALTER_TABLE is high risk in prod: DDL on Prod is High',
        file: 'migrations/test_db/1001_add_email.sql',
        startLine: 1,
        endLine: 1,
        title: 'sqlgate: high risk',
      },
    ]);
  });

  it('a statement the parser could not read says so, once per line however many environments', () => {
    const plan = planOf({
      'migrations/test_db/1002_broken.sql': ['!ALTER TABLE users ADD|Expected a column'],
    });
    expect(riskAnnotations(plan).map((a) => [a.level, a.message])).toEqual([
      [
        'warning',
        'ALTER_TABLE is high risk in test: sqlgate cannot parse this statement (Expected a column); rated at unparsedLevel high',
      ],
    ]);
  });

  it('a diagnostic on the whole file (line 0) names only the file', () => {
    expect(diagnosticAnnotations(twoProblems.errors)).toEqual([
      {
        level: 'error',
        message: 'unknown role "qa"',
        file: 'policies/roles.yaml',
        startLine: 7,
        startColumn: 11,
      },
      { level: 'error', message: 'bad migration name', file: 'migrations/test_db/add.sql' },
    ]);
  });
});

const report = (over: Partial<DatabaseReport>): DatabaseReport => ({
  database: 'test_db',
  environment: 'prod',
  status: 'applied',
  applied: [],
  skipped: 0,
  warnings: [],
  ...over,
});

describe('a deploy from the Action', () => {
  it('a refused rollout shows the conditions that held, then why; nothing else', () => {
    const text = rolloutText(
      {
        reports: [],
        checks: ['commit abc1234 is on main'],
        refused: { condition: 'sender', reason: 'mallory holds none of the rollout roles of Prod (dba)' },
      },
      'prod/v1',
    );
    const refusal =
      'rollout of prod/v1 refused (sender): mallory holds none of the rollout roles of Prod (dba). Nothing was deployed.';
    expect(text).toEqual({
      heading: 'sqlgate rollout refused',
      log: ['✓ commit abc1234 is on main'],
      summary: ['✓ commit abc1234 is on main', `✗ ${refusal}`],
      refusal,
    });
  });

  it('a deploy shows the conditions, then each database', () => {
    const text = rolloutText(
      {
        reports: [report({ applied: [{ file: 'migrations/test_db/1001_add_email.sql', statements: 1 }] })],
        checks: ['dana holds dba'],
      },
      'prod/v1',
    );
    expect(text.heading).toBe('sqlgate deploy');
    expect(text.refusal).toBeUndefined();
    expect(text.summary).toEqual([
      '✓ dana holds dba',
      '✓ prod/test_db: applied migrations/test_db/1001_add_email.sql (1 statement)',
    ]);
    expect(text.log).toEqual(text.summary);
  });

  it('the deployed output lists only databases that took everything, with their files', () => {
    const reports = [
      report({ applied: [{ file: 'migrations/test_db/1.sql', statements: 2 }] }),
      report({ database: 'other', status: 'up-to-date', skipped: 3 }),
      report({
        database: 'broken',
        status: 'failed',
        applied: [{ file: 'migrations/x/1.sql', statements: 1 }],
      }),
    ];
    expect(JSON.parse(deployedOutput(reports))).toEqual([
      { environment: 'prod', database: 'test_db', files: ['migrations/test_db/1.sql'] },
    ]);
  });

  it('the failure names each database that stopped, and why', () => {
    const reports = [
      report({}),
      report({ database: 'a', status: 'error', message: 'PROD_A_URL is not set' }),
      report({ database: 'b', status: 'in-doubt', message: 'connection lost in statement 2' }),
    ];
    expect(deployProblems(reports, 'error')).toBe('prod/a: PROD_A_URL is not set');
    expect(deployProblems(reports, 'unfinished')).toBe(
      'prod/a: error: PROD_A_URL is not set\nprod/b: in-doubt: connection lost in statement 2',
    );
  });
});
