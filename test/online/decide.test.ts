// How each statement runs, decided from its facts, the row count and the table: a table of SQL
// and what the plan, the comment and the deploy log say about it.
import { afterAll, describe, expect, it } from 'vitest';
import {
  decideExecution,
  describeExecution,
  methodChange,
  type TableShape,
} from '../../src/online/decide.js';
import { sharedParser } from '../../src/parser/pool.js';
import { describePolicyDiff } from '../../src/policy/diff.js';
import { loadPolicies } from '../../src/policy/load.js';
import type { OnlineSchemaChangePolicy } from '../../src/policy/types.js';
import type { Estimate } from '../../src/risk/context.js';
import { analyseSql } from '../../src/sql/analyse.js';

const ENVIRONMENTS = `
environments:
  - id: prod
    order: 1
    rollout: automatic
    onlineSchemaChange:
      when: { any: [{ tableRows: { gt: 1000000 } }, { tableRewrite: true, tableRows: { gt: 10000 } }] }
      chunkSize: 2000
      maxLoad: Threads_running=30
  - id: test
    order: 0
    rollout: automatic
databases:
  - { name: app, environment: prod, urlEnv: PROD_DB_URL }
`;

function policy(): OnlineSchemaChangePolicy {
  const loaded = loadPolicies({ environments: ENVIRONMENTS });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.format()).join('\n'));
  const online = loaded.policy.environments.find((e) => e.id === 'prod')?.onlineSchemaChange;
  if (!online) throw new Error('no onlineSchemaChange');
  return online;
}

const SHAPE: TableShape = {
  exists: true,
  rows: 2_000_000,
  hasPrimaryOrUniqueKey: true,
  triggers: [],
  childForeignKeys: [],
  multipleTriggersSupported: true,
};

async function decide(sql: string, rows: Estimate, shape?: Partial<TableShape>) {
  const [statement] = await analyseSql(sql, sharedParser());
  if (!statement) throw new Error('no statement');
  return decideExecution(
    {
      environment: 'prod',
      database: 'app',
      file: 'migrations/app/2_x.sql',
      facts: statement.facts,
      tableRows: rows,
      affectedRows: 'unknown',
    },
    policy(),
    shape === undefined
      ? undefined
      : { ...SHAPE, ...shape, rows: shape.rows ?? (rows === 'unknown' ? SHAPE.rows : rows) },
  );
}

afterAll(async () => sharedParser().close());

describe('how a statement runs', () => {
  it('reads the setting with its defaults and where it is written', () => {
    expect(policy()).toEqual({
      tool: 'pt-online-schema-change',
      when: expect.anything(),
      at: { file: 'policies/environments.yaml', line: 7, column: 7 },
      chunkSize: 2000,
      maxLoad: 'Threads_running=30',
      criticalLoad: 'Threads_running=50',
    });
  });

  it.each<[string, string, Estimate, Partial<TableShape> | undefined, string]>([
    [
      'a big table goes online',
      'ALTER TABLE orders ADD COLUMN note VARCHAR(40) NULL',
      2_000_000,
      {},
      'online via pt-online-schema-change, ~2,000,000 rows, copy in chunks of 2000',
    ],
    [
      'a small table stays inline',
      'ALTER TABLE orders ADD COLUMN note VARCHAR(40) NULL',
      5_000,
      {},
      'inline (~5,000 rows)',
    ],
    [
      'a rewrite of a middling table goes online',
      'ALTER TABLE orders MODIFY COLUMN v BIGINT NOT NULL',
      50_000,
      {},
      'online via pt-online-schema-change, ~50,000 rows, copy in chunks of 2000',
    ],
    [
      'an unknown row count holds the condition, and deploy decides again',
      'ALTER TABLE orders ADD COLUMN note INT NULL',
      'unknown',
      undefined,
      'online via pt-online-schema-change, row count unknown, copy in chunks of 2000; decided again at deploy from the live table',
    ],
    ['not an ALTER', 'UPDATE orders SET v = 1 WHERE id = 2', 5_000_000, {}, 'inline'],
    [
      'a table created earlier in the same change',
      'ALTER TABLE fresh ADD COLUMN note INT NULL',
      'unknown',
      { exists: false, rows: 0 },
      'inline (the table does not exist yet)',
    ],
    [
      'triggers of its own are kept',
      'ALTER TABLE orders ADD COLUMN note INT NULL',
      2_000_000,
      { triggers: ['orders_audit'] },
      "online via pt-online-schema-change, ~2,000,000 rows, copy in chunks of 2000, keeping the table's triggers",
    ],
  ])('%s', async (_, sql, rows, shape, expected) => {
    expect(describeExecution(await decide(sql, rows, shape))).toBe(expected);
  });

  it.each<[string, string, Partial<TableShape> | undefined, RegExp]>([
    [
      'a table without a primary or unique key',
      'ALTER TABLE logs ADD COLUMN note INT NULL',
      { hasPrimaryOrUniqueKey: false },
      /^refused: table logs has no primary key or unique key on NOT NULL columns; pt-online-schema-change needs one/,
    ],
    [
      'RENAME in the ALTER',
      'ALTER TABLE orders ADD COLUMN note INT NULL, RENAME TO orders_v2',
      undefined,
      /^refused: pt-online-schema-change cannot rename the table \(RENAME in the ALTER\)/,
    ],
    [
      'a column rename',
      'ALTER TABLE orders CHANGE COLUMN v value BIGINT NOT NULL',
      undefined,
      /^refused: the ALTER renames a column/,
    ],
    [
      'dropping the primary key',
      'ALTER TABLE orders DROP PRIMARY KEY',
      undefined,
      /^refused: pt-online-schema-change cannot drop the primary key/,
    ],
    [
      'triggers on a server with one trigger per event',
      'ALTER TABLE orders ADD COLUMN note INT NULL',
      { triggers: ['orders_audit'], multipleTriggersSupported: false },
      /^refused: table orders has triggers \(orders_audit\) and this server allows only one trigger per event/,
    ],
    [
      'child foreign keys without a chosen method',
      'ALTER TABLE orders ADD COLUMN note INT NULL',
      { childForeignKeys: ['lines.fk_order'] },
      /^refused: table orders is referenced by foreign keys \(lines\.fk_order\); choose how pt-online-schema-change repoints them with onlineSchemaChange\.foreignKeys/,
    ],
  ])('refuses %s before any work', async (_, sql, shape, expected) => {
    expect(describeExecution(await decide(sql, 2_000_000, shape))).toMatch(expected);
  });

  it('says when the live table changes the method the plan showed', async () => {
    const planned = await decide('ALTER TABLE orders ADD COLUMN note INT NULL', 900_000, {});
    const live = await decide('ALTER TABLE orders ADD COLUMN note INT NULL', 1_200_000, {});
    expect(methodChange(planned, live)).toBe(
      'method changed since the plan: inline (~900,000 rows) → online via pt-online-schema-change, ~1,200,000 rows, copy in chunks of 2000',
    );
    expect(methodChange(live, live)).toBeUndefined();
  });
});

describe('a change to the online setting, in words for reviewers', () => {
  const load = (text: string) => {
    const loaded = loadPolicies({ environments: text });
    if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.format()).join('\n'));
    return loaded.policy;
  };
  const without = ENVIRONMENTS.replace(/ {4}onlineSchemaChange:[\s\S]*?(?= {2}- id: test)/, '');

  it('names what was added, changed and removed', () => {
    expect(describePolicyDiff(load(without), load(ENVIRONMENTS))).toEqual([
      'environment \'prod\' online schema change added: pt-online-schema-change when (tableRows {"gt":1000000}) or (tableRewrite true and tableRows {"gt":10000}) (chunks of 2000, max load Threads_running=30, critical load Threads_running=50)',
    ]);
    expect(
      describePolicyDiff(load(ENVIRONMENTS), load(ENVIRONMENTS.replace('chunkSize: 2000', 'chunkSize: 500'))),
    ).toEqual([
      expect.stringMatching(/^environment 'prod' online schema change .*chunks of 2000.* → .*chunks of 500/),
    ]);
    expect(describePolicyDiff(load(ENVIRONMENTS), load(without))).toEqual([
      expect.stringMatching(
        /^environment 'prod' online schema change removed \(was .*\); every ALTER runs inline$/,
      ),
    ]);
  });
});
