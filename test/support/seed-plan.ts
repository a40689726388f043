// A PlanResult built without git or a parser: the seed policies (examples/seed/policies/)
// and statements classified by keyword, for tests of what reads a plan (the reports).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanResult, RequiredFlow } from '../../src/plan/plan.js';
import { loadPolicies, type PolicyTexts } from '../../src/policy/load.js';
import { POLICY_FILES, type Policy, type PolicyFileKey } from '../../src/policy/types.js';
import { evaluateRisk } from '../../src/risk/evaluate.js';
import type { AnalysedStatement } from '../../src/sql/analyse.js';
import { classifyByKeywords } from '../../src/sql/classify.js';
import { buildFacts, type ParseOutcome } from '../../src/sql/facts.js';
import { type MigrationName, parseMigrationName } from '../../src/sql/migration-name.js';
import { REPO_ROOT } from '../policy/seed-texts.js';

/** The seed scenario's PR: DDL for test_db, low on Test and high on Prod. */
export const SEED_PR = {
  'migrations/test_db/1001_add_email.sql': ['ALTER TABLE users ADD COLUMN email VARCHAR(255)'],
};

const SEED = join(REPO_ROOT, 'examples/seed/policies');
const texts: PolicyTexts = {};
for (const [key, name] of Object.entries(POLICY_FILES) as [PolicyFileKey, string][])
  if (existsSync(join(SEED, name))) texts[key] = readFileSync(join(SEED, name), 'utf8');
const loaded = loadPolicies(texts);
if (!loaded.ok) throw new Error('the seed policies do not load');
export const policy = loaded.policy;

function statement(
  index: number,
  text: string,
  parse: ParseOutcome = { ok: true, via: 'ast' },
): AnalysedStatement {
  return {
    index,
    start: { line: index + 1, column: 1 },
    end: { line: index + 1, column: text.length },
    preview: text,
    bytes: text.length,
    facts: buildFacts(text, classifyByKeywords(text), undefined, parse),
  };
}

/** A plan of these files' statements; one written `!text|message` is one the parser could not read. */
export function planOf(
  files: Record<string, readonly string[]>,
  extra: Partial<PlanResult> = {},
): PlanResult {
  const migrations = Object.entries(files).map(([path, sql]) => ({
    migration: parseMigrationName(path) as MigrationName,
    statements: sql.map((s, i) => {
      const [text = '', message] = s.replace(/^!/, '').split('|');
      return statement(
        i,
        text,
        s.startsWith('!') ? { ok: false, reason: 'syntax', message: message ?? '' } : undefined,
      );
    }),
  }));
  return planFrom(policy, migrations, extra);
}

/** The PlanResult `plan` would give for these analysed migrations under `policies`, main → HEAD. */
export function planFrom(
  policies: Policy,
  migrations: readonly { migration: MigrationName; statements: readonly AnalysedStatement[] }[],
  extra: Partial<PlanResult> = {},
): PlanResult {
  const risk = evaluateRisk(policies, migrations);
  const flows: RequiredFlow[] = risk.flow
    ? [{ reason: 'sql', flow: risk.flow.flow, source: risk.flow.source, level: risk.flow.level }]
    : [];
  return {
    base: { ref: 'main', commit: 'a'.repeat(40) },
    head: { commit: 'b'.repeat(40) },
    policy: policies,
    policiesDir: 'policies',
    migrationsDir: 'migrations',
    migrations: migrations.map((m) => m.migration),
    risk,
    flows,
    deployRefusals: [],
    ...extra,
  };
}
