// The stable machine-readable plan (`sqlgate plan --format json`, schema version 1). The Action
// and scripts read this; fields are only ever added, never renamed or removed, within a version.
import { executionJson, executionKey, type PlanExecutions } from '../online/plan-executions.js';
import { type PlanResult, type RequiredFlow, refusalLine } from '../plan/plan.js';
import type { Policy } from '../policy/types.js';
import type { StatementRisk, TaskRisk } from '../risk/evaluate.js';

export const PLAN_JSON_VERSION = 1;

function statementJson(s: StatementRisk) {
  return {
    index: s.index,
    line: s.start.line,
    column: s.start.column,
    endLine: s.end.line,
    endColumn: s.end.column,
    type: s.facts.type,
    source: s.facts.source,
    level: s.level,
    tables: s.facts.tables,
    operations: s.facts.operations,
    preview: s.preview,
    rules: s.matches.map((m) => ({
      title: m.title,
      level: m.level,
      at: m.preset ? m.at.file : `${m.at.file}:${m.at.line}:${m.at.column}`,
      unknownFacts: m.unknownFacts,
    })),
    unparsed: s.unparsed ? { message: s.unparsed.message, explanation: s.unparsed.explanation } : null,
  };
}

function taskJson(t: TaskRisk, executions: PlanExecutions | undefined) {
  return {
    file: t.file,
    version: t.version,
    environment: t.environment,
    databases: t.databases,
    level: t.level,
    levelBySource: t.levelBySource,
    statements: t.statements.map((s) => {
      const list = executions?.get(executionKey(t.environment, t.file, s.index));
      // How the statement runs per database; null when it simply runs inline (not an online-routable ALTER).
      return { ...statementJson(s), execution: list ? list.map(executionJson) : null };
    }),
  };
}

export function flowJson(f: RequiredFlow, policy: Policy) {
  return {
    reason: f.reason,
    id: f.flow.id,
    title: f.flow.title,
    source: f.source ?? null,
    level: f.level ?? null,
    order: f.flow.order,
    steps: f.flow.steps.map((s) => {
      const role = policy.roles.find((r) => r.id === s.role);
      return { role: s.role, title: role?.title ?? s.role, count: s.count, members: role?.members ?? [] };
    }),
  };
}

export function planJson(plan: PlanResult) {
  return {
    version: PLAN_JSON_VERSION,
    base: plan.base,
    head: plan.head,
    level: plan.risk.level,
    levelBySource: plan.risk.levelBySource,
    migrations: plan.migrations.map((m) => ({
      path: m.path,
      database: m.folder,
      version: m.version,
      description: m.description,
    })),
    tasks: plan.risk.tasks.map((t) => taskJson(t, plan.executions)),
    flows: plan.flows.map((f) => flowJson(f, plan.policy)),
    policyChange: plan.policyChange ?? null,
    deployRefusals: plan.deployRefusals.map(refusalLine),
  };
}
