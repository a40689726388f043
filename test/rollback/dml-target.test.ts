import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { loadPolicies } from '../../src/policy/load.js';
import type { Database, RiskLevel } from '../../src/policy/types.js';
import { dmlBackupsFor } from '../../src/rollback/backup.js';
import { dmlTarget } from '../../src/rollback/dml-target.js';
import { seedTexts } from '../policy/seed-texts.js';

describe('the rows an UPDATE or DELETE touches, read from its text for the backup', () => {
  it.each([
    [
      "UPDATE t1 SET name = 'x' WHERE id < 10",
      { kind: 'UPDATE', table: 't1', tableName: 't1', from: 't1', where: 'id < 10' },
    ],
    [
      'UPDATE LOW_PRIORITY IGNORE `app`.`order items` AS o SET o.qty = 0 WHERE o.id IN (SELECT id FROM gone WHERE x = 1) ORDER BY o.id LIMIT 5',
      {
        kind: 'UPDATE',
        table: '`app`.`order items`',
        tableName: 'order items',
        from: '`app`.`order items` AS o',
        where: 'o.id IN (SELECT id FROM gone WHERE x = 1) ORDER BY o.id LIMIT 5',
      },
    ],
    [
      "DELETE FROM audit\n-- old rows\nWHERE at < '2020-01-01' /* keep the rest */",
      {
        kind: 'DELETE',
        table: 'audit',
        tableName: 'audit',
        from: 'audit\n-- old rows',
        where: "at < '2020-01-01' /* keep the rest */",
      },
    ],
    [
      "UPDATE t1 SET note = 'a WHERE in a string', `where` = 1 WHERE id = 2",
      { kind: 'UPDATE', table: 't1', tableName: 't1', from: 't1', where: 'id = 2' },
    ],
  ])('%s', (sql, expected) => {
    expect(dmlTarget(sql)).toEqual(expected);
  });

  it.each([
    ['no WHERE: the whole table', 'DELETE FROM t1'],
    ['several tables', 'UPDATE t1, t2 SET t1.a = t2.a WHERE t1.id = t2.id'],
    ['a join', 'UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = 1 WHERE t2.b = 2'],
    ['multi-table DELETE', 'DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.b = 2'],
    ['DELETE ... USING', 'DELETE FROM t1 USING t1, t2 WHERE t1.id = t2.id'],
    ['RETURNING', 'DELETE FROM t1 WHERE id = 1 RETURNING id'],
    ['code in a versioned comment', 'DELETE FROM t1 WHERE id = 1 /*!50000 OR 1 = 1 */'],
    ['not DML', 'ALTER TABLE t1 ADD COLUMN c INT'],
    ['INSERT', 'INSERT INTO t1 SELECT * FROM t2 WHERE x = 1'],
  ])('is not a target: %s', (_, sql) => {
    expect(dmlTarget(sql)).toBeUndefined();
  });
});

describe('which files back up their DML (backupDml: high)', () => {
  const policy = (() => {
    const texts = seedTexts();
    const loaded = loadPolicies({ ...texts, risk: `backupDml: high\n${texts.risk ?? ''}` });
    if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
    return loaded.policy;
  })();
  const database = policy.databases.find((d) => d.environment === 'prod') as Database;
  const statement = (file: string, text: string) => ({ file, index: 0, line: 1, text, hash: '' });
  const executor = (riskOf?: (path: string) => RiskLevel | null) =>
    dmlBackupsFor({
      policy,
      database,
      target: parseDatabaseUrl('TEST', 'mysql://root@127.0.0.1:1/'),
      files: [],
      lockWaitTimeoutSeconds: 5,
      ...(riskOf ? { riskOf } : {}),
    });

  it.each([
    ['the PR gave the file the level', 'high', true],
    ['the PR gave the file a lower level', 'moderate', false],
    ['the deploy does not know the level (the CLI): back up', null, true],
  ] as const)('%s (%s): %s', (_, level, backs) => {
    expect(executor(() => level)?.accepts(statement('m.sql', 'DELETE FROM t WHERE id = 1'))).toBe(backs);
  });

  it('takes no statement it cannot back up, and no executor at all without backupDml', () => {
    expect(executor()?.accepts(statement('m.sql', 'DELETE FROM t'))).toBe(false);
    const plain = loadPolicies(seedTexts());
    if (!plain.ok) throw new Error('seed');
    expect(
      dmlBackupsFor({
        policy: plain.policy,
        database,
        target: parseDatabaseUrl('TEST', 'mysql://root@127.0.0.1:1/'),
        files: [],
        lockWaitTimeoutSeconds: 5,
      }),
    ).toBeUndefined();
  });
});
