// The risk engine: facts → matching rules → level per statement, per task (file × environment)
// and per PR, then the approval flow. Every level names the rules and statements that raised it.
import {
  type ApprovalFlow,
  compareLevels,
  type Database,
  maxLevel,
  type Policy,
  type RiskLevel,
  type RiskRule,
  type SourceLocation,
} from '../policy/types.js';
import type { AnalysedStatement } from '../sql/analyse.js';
import { classifyByKeywords } from '../sql/classify.js';
import { buildFacts, type ParseOutcome, type StatementFacts } from '../sql/facts.js';
import type { MigrationName } from '../sql/migration-name.js';
import type { Position } from '../sql/split.js';
import { type ChangeSource, SOURCES } from '../sql/statement-types.js';
import { evaluateCondition } from './conditions.js';
import type { Estimate, RehearsalMeasure, StatementContext } from './context.js';
import { BYTEBASE_PRESET } from './presets.js';

export interface AnalysedMigration {
  readonly migration: MigrationName;
  readonly statements: readonly AnalysedStatement[];
}

/** A migration with its text, for readers that go back to the statements (estimates, table shapes). */
export interface AnalysedMigrationWithText extends AnalysedMigration {
  readonly text: string;
}

export interface Estimates {
  readonly tableRows: Estimate;
  readonly affectedRows: Estimate;
  readonly rehearsal?: RehearsalMeasure;
}
export type EstimateLookup = (database: Database, file: string, statementIndex: number) => Estimates;

export interface RuleMatch {
  readonly title: string;
  readonly level: RiskLevel;
  readonly at: SourceLocation;
  readonly preset: boolean;
  /** Facts that were unknown and made the rule hold (fail closed). */
  readonly unknownFacts: readonly string[];
}

export interface StatementRisk {
  readonly index: number;
  readonly start: Position;
  readonly end: Position;
  readonly preview: string;
  readonly facts: StatementFacts;
  readonly level: RiskLevel;
  readonly matches: readonly RuleMatch[];
  /**
   * Set when the statement could not be parsed: it gets at least `unparsedLevel`. `message` is the
   * parser's; `explanation` says it in words a reviewer can act on.
   */
  readonly unparsed?: { readonly message: string; readonly level: RiskLevel; readonly explanation: string };
}

export interface TaskRisk {
  readonly file: string;
  readonly folder: string;
  readonly version: string;
  readonly environment: string;
  readonly databases: readonly string[];
  readonly level: RiskLevel;
  readonly levelBySource: Readonly<Partial<Record<ChangeSource, RiskLevel>>>;
  readonly statements: readonly StatementRisk[];
}

export interface FlowChoice {
  readonly source: ChangeSource;
  readonly level: RiskLevel;
  readonly flow: ApprovalFlow;
}

export interface RiskReport {
  readonly level: RiskLevel;
  /** The PR's highest level per source of change present in it. */
  readonly levelBySource: Readonly<Partial<Record<ChangeSource, RiskLevel>>>;
  readonly tasks: readonly TaskRisk[];
  /** The flow the SQL needs, or undefined when no assignment covers the PR's levels. */
  readonly flow: FlowChoice | undefined;
}

const UNKNOWN: Estimates = { tableRows: 'unknown', affectedRows: 'unknown' };

export function rulesInForce(policy: Policy): readonly RiskRule[] {
  return policy.risk.preset === 'bytebase' ? [...BYTEBASE_PRESET, ...policy.risk.rules] : policy.risk.rules;
}

function evaluateStatement(
  statement: AnalysedStatement,
  contexts: readonly StatementContext[],
  rules: readonly RiskRule[],
  unparsedLevel: RiskLevel,
): StatementRisk {
  const matches = new Map<string, RuleMatch>();
  for (const context of contexts) {
    for (const rule of rules) {
      if (rule.source !== statement.facts.source) continue;
      const result = evaluateCondition(rule.when, context);
      if (result.truth === 'false') continue;
      const key = `${rule.at.file}:${rule.at.line}:${rule.title}`;
      const earlier = matches.get(key);
      matches.set(key, {
        title: rule.title,
        level: rule.level,
        at: rule.at,
        preset: rule.at.line === 0,
        unknownFacts: [...new Set([...(earlier?.unknownFacts ?? []), ...result.unknown])],
      });
    }
  }
  const list = [...matches.values()].sort((a, b) => compareLevels(b.level, a.level));
  let level: RiskLevel = list.reduce<RiskLevel>((l, m) => maxLevel(l, m.level), 'none');
  const parse: ParseOutcome = statement.facts.parse;
  let unparsed: StatementRisk['unparsed'];
  if (!parse.ok) {
    unparsed = {
      message: parse.message,
      level: unparsedLevel,
      explanation: explainUnparsed(statement.facts.type, parse.message, unparsedLevel),
    };
    level = maxLevel(level, unparsedLevel);
  }
  return {
    index: statement.index,
    start: statement.start,
    end: statement.end,
    preview: statement.preview,
    facts: statement.facts,
    level,
    matches: list,
    ...(unparsed ? { unparsed } : {}),
  };
}

// The parser reads no stored-program bodies (BEGIN … END): its "unexpected P" says nothing to a
// reviewer, so those statements are named for what they are.
const STORED_PROGRAMS = new Set([
  'CREATE_PROCEDURE',
  'CREATE_FUNCTION',
  'CREATE_TRIGGER',
  'CREATE_EVENT',
  'ALTER_EVENT',
]);

function explainUnparsed(type: string, message: string, level: RiskLevel): string {
  const rated = `rated at unparsedLevel ${level}`;
  return STORED_PROGRAMS.has(type)
    ? `sqlgate cannot analyse stored programs (${type.replace(/_/g, ' ')}); ${rated}`
    : `sqlgate cannot parse this statement (${message}); ${rated}`;
}

/**
 * Evaluate every migration in every environment its database lives in. `databasesOf` maps a
 * migrations folder to the databases that receive it.
 */
export function evaluateRisk(
  policy: Policy,
  migrations: readonly AnalysedMigration[],
  options: { estimates?: EstimateLookup; creates?: readonly Database[] } = {},
): RiskReport {
  const { estimates, creates = [] } = options;
  const rules = rulesInForce(policy);
  const envOrder = new Map(policy.environments.map((e, i) => [e.id, i]));
  const tasks: TaskRisk[] = creates.map((db) => createDatabaseTask(db, rules, policy));
  for (const { migration, statements } of migrations) {
    const receivers = policy.databases.filter((d) => d.migrations === migration.folder);
    const byEnvironment = new Map<string, Database[]>();
    for (const db of receivers)
      byEnvironment.set(db.environment, [...(byEnvironment.get(db.environment) ?? []), db]);
    for (const [environment, databases] of byEnvironment) {
      const risks = statements.map((statement) => {
        const contexts = databases.map((db): StatementContext => {
          const e = estimates?.(db, migration.path, statement.index) ?? UNKNOWN;
          return { environment, database: db.name, file: migration.path, facts: statement.facts, ...e };
        });
        return evaluateStatement(statement, contexts, rules, policy.risk.unparsedLevel);
      });
      const levelBySource: Partial<Record<ChangeSource, RiskLevel>> = {};
      for (const r of risks)
        levelBySource[r.facts.source] = maxLevel(levelBySource[r.facts.source] ?? 'none', r.level);
      tasks.push({
        file: migration.path,
        folder: migration.folder,
        version: migration.version,
        environment,
        databases: databases.map((d) => d.name),
        level: risks.reduce<RiskLevel>((l, r) => maxLevel(l, r.level), 'none'),
        levelBySource,
        statements: risks,
      });
    }
  }
  tasks.sort((a, b) => (envOrder.get(a.environment) ?? 0) - (envOrder.get(b.environment) ?? 0));

  const levelBySource: Partial<Record<ChangeSource, RiskLevel>> = {};
  for (const task of tasks) {
    for (const [source, level] of Object.entries(task.levelBySource) as [ChangeSource, RiskLevel][]) {
      levelBySource[source] = maxLevel(levelBySource[source] ?? 'none', level);
    }
  }
  return {
    level: tasks.reduce<RiskLevel>((l, t) => maxLevel(l, t.level), 'none'),
    levelBySource,
    tasks,
    flow: chooseFlow(policy, levelBySource),
  };
}

/** Facts of the CREATE DATABASE a `create: true` entry runs, as if it were a migration statement. */
function createFacts(db: Database): StatementFacts {
  const text = `CREATE DATABASE IF NOT EXISTS \`${db.name}\``;
  return buildFacts(text, classifyByKeywords(text), undefined, { ok: true, via: 'grammar' });
}

/** A database new in the PR with `create: true` is a create-database change of its own. */
function createDatabaseTask(db: Database, rules: readonly RiskRule[], policy: Policy): TaskRisk {
  const file = `environments.yaml#${db.name}`;
  const facts = createFacts(db);
  const statement: AnalysedStatement = {
    index: 0,
    start: { line: 0, column: 0 },
    end: { line: 0, column: 0 },
    preview: `CREATE DATABASE IF NOT EXISTS \`${db.name}\``,
    bytes: 0,
    facts,
  };
  const context: StatementContext = {
    environment: db.environment,
    database: db.name,
    file,
    facts,
    ...UNKNOWN,
  };
  const risk = evaluateStatement(statement, [context], rules, policy.risk.unparsedLevel);
  return {
    file,
    folder: db.migrations,
    version: '0',
    environment: db.environment,
    databases: [db.name],
    level: risk.level,
    levelBySource: { 'create-database': risk.level },
    statements: [risk],
  };
}

/**
 * The flow of the highest (source, level) pair that has an assignment, where a PR at level L of
 * a source also counts as every level below L. Assignments are minimum bars: if only
 * (ddl, moderate) is assigned, a high-risk DDL needs at least that flow too. Taking only the
 * single highest pair would let a PR lower its bar by adding a riskier statement.
 */
export function chooseFlow(
  policy: Policy,
  levelBySource: Partial<Record<ChangeSource, RiskLevel>>,
): FlowChoice | undefined {
  const candidates = policy.approval.assignments.flatMap((assignment) => {
    const reached = levelBySource[assignment.source];
    if (!reached || compareLevels(reached, assignment.level) < 0) return [];
    const flow = policy.approval.flows.find((f) => f.id === assignment.flow);
    return flow ? [{ source: assignment.source, level: assignment.level as RiskLevel, flow }] : [];
  });
  // Highest level first; within a level, the order of SOURCES (ddl, dml, create-database).
  candidates.sort(
    (a, b) => compareLevels(b.level, a.level) || SOURCES.indexOf(a.source) - SOURCES.indexOf(b.source),
  );
  return candidates[0];
}
