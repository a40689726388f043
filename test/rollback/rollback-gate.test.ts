// The rollback tag's decision on plain data: histories, files and verdicts, no server, no GitHub.
import { describe, expect, it } from 'vitest';
import { migrationFileOf } from '../../src/deploy/sources.js';
import type { HistoryRow, MigrationFile } from '../../src/deploy/types.js';
import { loadPolicies } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/types.js';
import type { MergedPrVerdict } from '../../src/rollout/merged-pr.js';
import { checkRollbackTag, parseRollbackTag } from '../../src/rollout/rollback-gate.js';
import { parseMigrationName } from '../../src/sql/migration-name.js';
import { seedTexts } from '../policy/seed-texts.js';

const loaded = loadPolicies(seedTexts());
if (!loaded.ok) throw new Error('seed policies');
const policy: Policy = loaded.policy;

function file(path: string, text: string): MigrationFile {
  const name = parseMigrationName(path, 'migrations');
  if ('format' in name) throw new Error(name.message);
  return migrationFileOf(name, text);
}

const INIT = file('migrations/test_db/1.0.0_init.sql', 'CREATE TABLE t1 (id INT PRIMARY KEY);\n');
const EMAIL = file('migrations/test_db/1.1.0_email.sql', 'ALTER TABLE t1 ADD COLUMN email VARCHAR(100);\n');
const EMAIL_DOWN = file('migrations/test_db/1.1.0_email.down.sql', 'ALTER TABLE t1 DROP COLUMN email;\n');
const PHONE = file('migrations/test_db/1.2.0_phone.sql', 'ALTER TABLE t1 ADD COLUMN phone VARCHAR(20);\n');
const PHONE_DOWN = file('migrations/test_db/1.2.0_phone.down.sql', 'ALTER TABLE t1 DROP COLUMN phone;\n');

function row(f: MigrationFile, status: HistoryRow['status'] = 'success'): HistoryRow {
  return {
    version: f.name.version,
    versionKey: f.name.parts.map(String).join('.'),
    description: f.name.description,
    file: f.name.path,
    checksum: f.checksum,
    statementsTotal: f.statements.length,
    statementsApplied: status === 'success' ? f.statements.length : 0,
    appliedHash: '',
    statementHashes: f.statements.map((s) => s.hash),
    status,
    inflightStatement: null,
    inflightVia: null,
    error: null,
    failedStatement: null,
    appliedBy: 'ci',
    gitSha: null,
    pr: null,
    risk: null,
    startedAt: '2026-11-27 10:00:00',
    finishedAt: '2026-11-27 10:00:01',
    executionMs: 1,
    note: null,
    workConnection: null,
  };
}

async function gate(options: {
  tag?: string;
  sender?: string;
  rows?: HistoryRow[];
  downs?: MigrationFile[];
  verify?: (path: string) => MergedPrVerdict;
}) {
  const downs = options.downs ?? [EMAIL_DOWN, PHONE_DOWN];
  const verified: string[] = [];
  const result = await checkRollbackTag({
    policy,
    tag: options.tag ?? 'rollback/prod/1.0.0',
    tagCommit: 'a'.repeat(40),
    onDefaultBranch: true,
    defaultBranch: 'main',
    sender: options.sender ?? 'dana',
    teams: new Map(),
    historyOf: async () => options.rows ?? [row(INIT), row(EMAIL), row(PHONE)],
    filesOf: () => ({
      files: [INIT, EMAIL, PHONE],
      downs: new Map(downs.map((d) => [d.name.path.replace('.down.sql', '.sql'), d])),
    }),
    verify: async (path) => {
      verified.push(path);
      return options.verify?.(path) ?? { ok: true, pr: 7, reason: 'PR #7 was approved (DBA review)' };
    },
  });
  return { result, verified };
}

describe('the rollback tag’s conditions', () => {
  it('names the down files to run, newest first, and checks the PR of each', async () => {
    const { result, verified } = await gate({});
    // History keys drop trailing zeros: 1.0.0, 1.0 and 1 are one version.
    expect(result).toMatchObject({ ok: true, toKey: '1' });
    expect(result.checks).toEqual([
      'commit aaaaaaa is on main',
      'dana holds dba',
      'test_db in Prod: will run migrations/test_db/1.2.0_phone.down.sql, migrations/test_db/1.1.0_email.down.sql',
      'migrations/test_db/1.2.0_phone.down.sql: PR #7 was approved (DBA review)',
      'migrations/test_db/1.1.0_email.down.sql: PR #7 was approved (DBA review)',
    ]);
    expect(verified).toEqual([
      'migrations/test_db/1.2.0_phone.down.sql',
      'migrations/test_db/1.1.0_email.down.sql',
    ]);
    expect(result.ok && [...result.verified]).toEqual(verified);
  });

  it.each([
    ['V-prefixed and short versions name the same version', 'rollback/prod/V1.1', true, '1.1'],
    ['a version with a description', 'rollback/prod/1.1.0_x', false, 'not a migration version'],
    ['no version', 'rollback/prod', false, 'is not a rollback tag'],
  ])('%s: %s', (_, tag, ok, expected) => {
    const parsed = parseRollbackTag(tag);
    expect(parsed.ok).toBe(ok);
    expect(parsed.ok ? parsed.toKey : parsed.reason).toContain(expected);
  });

  it.each([
    {
      why: 'a version above it is not fully applied',
      rows: [row(INIT), row(EMAIL), row(PHONE, 'failed')],
      condition: 'history',
      reason:
        'test_db in Prod: migrations/test_db/1.2.0_phone.sql is failed, not fully applied; its down file assumes it is (deploy or repair it first)',
    },
    {
      why: 'a version above it has no down file',
      downs: [EMAIL_DOWN],
      condition: 'history',
      reason:
        'test_db in Prod: migrations/test_db/1.2.0_phone.sql (version 1.2.0) has no down file migrations/test_db/1.2.0_phone.down.sql in the checkout',
    },
    {
      why: 'the version was rolled back already',
      tag: 'rollback/prod/1.1.0',
      rows: [row(INIT), row(EMAIL, 'rolled-back'), row(PHONE)],
      condition: 'version',
      reason: 'version 1.1.0 is not applied in test_db in Prod, so there is nothing to roll back to',
    },
    {
      why: 'the environment does not exist',
      tag: 'rollback/staging/1.0.0',
      condition: 'tag',
      reason:
        'tag rollback/staging/1.0.0 names environment staging, which environments.yaml does not define (test, prod)',
    },
  ])('refuses, checking no PR, when $why', async ({ rows, downs, tag, condition, reason }) => {
    const { result, verified } = await gate({
      ...(rows ? { rows } : {}),
      ...(downs ? { downs } : {}),
      ...(tag ? { tag } : {}),
    });
    expect(result).toMatchObject({ ok: false, condition, reason });
    expect(verified).toEqual([]);
  });

  it('refuses at the first down file whose PR was not approved', async () => {
    const { result } = await gate({
      verify: (path) =>
        path.includes('phone')
          ? {
              ok: false,
              reason: `${path}: PR #9 merged without its approvals: DBA review: waiting for DBA (0 of 1)`,
            }
          : { ok: true, reason: 'ok' },
    });
    expect(result).toMatchObject({
      ok: false,
      condition: 'approval',
      reason:
        'migrations/test_db/1.2.0_phone.down.sql: PR #9 merged without its approvals: DBA review: waiting for DBA (0 of 1)',
    });
  });
});
