// The plan as the CLI prints it.
import { executionKey, executionLines } from '../online/plan-executions.js';
import type { PlanResult } from '../plan/plan.js';
import type { Policy } from '../policy/types.js';
import type { TaskRisk } from '../risk/evaluate.js';

const LEVEL_MARK: Record<string, string> = { high: 'HIGH', moderate: 'MODERATE', low: 'low', none: 'none' };

function environmentLine(policy: Policy, id: string): string {
  const env = policy.environments.find((e) => e.id === id);
  if (!env) return id;
  const how =
    env.rollout === 'automatic'
      ? 'automatic on merge'
      : `manual: tag ${env.tag} by ${env.rolloutRoles.join(', ')}`;
  return `${env.title} (${how})`;
}

function ruleNote(task: TaskRisk, i: number): string {
  const s = task.statements[i];
  if (!s) return '';
  const notes: string[] = [];
  if (s.unparsed) notes.push(s.unparsed.explanation);
  for (const m of s.matches.filter((x) => x.level === s.level)) {
    const where = m.preset ? 'preset' : `${m.at.file}:${m.at.line}`;
    const unknown = m.unknownFacts.length > 0 ? `; ${m.unknownFacts.join(', ')} unknown` : '';
    notes.push(`${m.title} (${where}${unknown})`);
  }
  return notes.join('; ');
}

export function planText(plan: PlanResult): string {
  const out: string[] = [];
  const { risk, policy } = plan;
  const files = plan.migrations.length;
  out.push(
    `sqlgate plan: ${files} migration file${files === 1 ? '' : 's'}, ${plan.base.ref} (${plan.base.commit.slice(0, 7)}) → HEAD (${plan.head.commit.slice(0, 7)})`,
  );
  out.push(`policies from the base (${plan.base.commit.slice(0, 7)})`);
  if (risk.tasks.length === 0) out.push('', 'No migrations changed.');
  let lastEnv = '';
  for (const task of risk.tasks) {
    if (task.environment !== lastEnv) {
      out.push('', environmentLine(policy, task.environment));
      lastEnv = task.environment;
    }
    out.push(
      `  ${task.file}  [${LEVEL_MARK[task.level]}]${task.databases.length > 1 ? `  (${task.databases.length} databases)` : ''}`,
    );
    task.statements.forEach((s, i) => {
      const where = `${s.start.line}:${s.start.column}`.padEnd(7);
      out.push(
        `    ${where} ${s.facts.type.padEnd(16)} ${LEVEL_MARK[s.level]?.padEnd(8)} ${ruleNote(task, i)}`.trimEnd(),
      );
      const runs = plan.executions?.get(executionKey(task.environment, task.file, s.index));
      for (const line of executionLines(runs ?? [])) out.push(`            runs ${line}`);
    });
  }
  out.push('');
  const sources = Object.entries(risk.levelBySource).map(([src, level]) => `${src} ${level}`);
  out.push(`Risk: ${risk.level}${sources.length > 0 ? ` (${sources.join(', ')})` : ''}`);
  if (plan.policyChange) {
    out.push(`Policy change: ${plan.policyChange.files.join(', ')}`);
    for (const line of plan.policyChange.diff) out.push(`  - ${line}`);
  }
  if (plan.flows.length === 0) out.push('Approval: none needed (no assignment covers this risk)');
  for (const required of plan.flows) {
    const why =
      required.reason === 'sql'
        ? `assigned to ${required.source} × ${required.level}`
        : 'policy files changed';
    out.push(`Approval flow: ${required.flow.title} (${why}, order ${required.flow.order})`);
    required.flow.steps.forEach((step, i) => {
      const role = policy.roles.find((r) => r.id === step.role);
      const members = role && role.members.length > 0 ? role.members.join(', ') : 'no members: fails closed';
      out.push(
        `  ${i + 1}. ${role?.title ?? step.role}${step.count > 1 ? ` ×${step.count}` : ''} (${members})`,
      );
    });
  }
  return out.join('\n');
}
