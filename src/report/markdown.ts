// The PR comment (and `plan --format markdown`): risk, tasks, the flow as a Mermaid diagram with
// each step's state, who approves next, approvals that did not count, and the full detail —
// always within GitHub's 65,536-character comment limit.
import type { ApprovalResult, ApprovalState, StepState } from '../approval/types.js';
import { executionKey, executionLines } from '../online/plan-executions.js';
import type { PlanResult, RequiredFlow } from '../plan/plan.js';
import { compareLevels, type Policy, type RiskLevel } from '../policy/types.js';
import { rehearsalMeasures } from '../rehearsal/measures.js';
import type { MissingRollback, RehearsalReport } from '../rehearsal/types.js';
import type { RehearsalMeasure } from '../risk/context.js';
import type { RiskReport, StatementRisk, TaskRisk } from '../risk/evaluate.js';
import { rehearsalMarkdown, rehearsalProblem, seconds } from './rehearsal.js';

export const COMMENT_LIMIT = 65_536;
// Room kept free below the limit for the closing lines and multi-byte surprises.
const BUDGET = COMMENT_LIMIT - 2_000;

const ICON: Record<RiskLevel, string> = { high: '🔴', moderate: '🟠', low: '🟢', none: '⚪' };
const WORD: Record<RiskLevel, string> = { high: 'High', moderate: 'Moderate', low: 'Low', none: 'None' };
const RISK_HEADING: Record<RiskLevel, string> = {
  high: 'High risk',
  moderate: 'Moderate risk',
  low: 'Low risk',
  none: 'No risk',
};
const STATE_ICON: Record<ApprovalState, string> = { approved: '✅', waiting: '⏳', blocked: '⛔' };

export interface CommentInput {
  readonly plan: PlanResult;
  /** One per required flow, in the order of plan.flows; absent for a plain plan. */
  readonly approvals?: readonly ApprovalResult[];
  /** Where the full report lives when the comment had to be shortened. */
  readonly detailsUrl?: string;
  /** The PR's rehearsal and the down files `requireRollback` asks for, when either applies. */
  readonly rehearsal?: {
    readonly report: RehearsalReport | undefined;
    readonly missing: readonly MissingRollback[];
  };
  /** For a PR that edits the policies: their tests' result and the what-if, as Markdown lines. */
  readonly policyReview?: readonly string[];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function envTitle(policy: Policy, id: string): string {
  return policy.environments.find((e) => e.id === id)?.title ?? id;
}

function topRule(task: TaskRisk): string {
  for (const s of task.statements) {
    if (s.level !== task.level) continue;
    if (s.unparsed) return `unparsable SQL (line ${s.start.line})`;
    const m = s.matches.find((x) => x.level === s.level);
    if (m) return `${m.title}${m.unknownFacts.length > 0 ? ` (${m.unknownFacts.join(', ')} unknown)` : ''}`;
  }
  return '—';
}

function taskRow(policy: Policy, t: TaskRisk): string {
  const types = [...new Set(t.statements.map((s) => s.facts.type))].join(', ');
  const dbs = t.databases.length > 1 ? ` (${t.databases.length} databases)` : '';
  return `| \`${escapeCell(t.file)}\` | ${envTitle(policy, t.environment)}${dbs} | ${ICON[t.level]} ${WORD[t.level]} | ${escapeCell(types)} | ${escapeCell(topRule(t))} |`;
}

const STEP_ICON: Record<StepState['status'], string> = {
  satisfied: '✅',
  waiting: '⏳',
  'not-yet-reachable': '🔒',
  unsatisfiable: '⛔',
};

function mermaid(
  flow: RequiredFlow,
  policy: Policy,
  result: ApprovalResult | undefined,
  id: string,
): string[] {
  const nodes = flow.flow.steps.map((step, i) => {
    const state = result?.steps[i];
    const title = policy.roles.find((r) => r.id === step.role)?.title ?? step.role;
    const count = step.count > 1 ? ` ×${step.count}` : '';
    let detail = '';
    if (state?.status === 'satisfied')
      detail = `approved by ${state.approvals.map((a) => a.login).join(', ')}`;
    else if (state?.status === 'waiting') detail = `waiting (${state.approvals.length} of ${state.count})`;
    else if (state?.status === 'not-yet-reachable') detail = 'after the previous step';
    else if (state?.status === 'unsatisfiable') detail = state.notes[0] ?? 'cannot be approved';
    const label = `${i + 1}. ${title}${count}${state ? ` ${STEP_ICON[state.status]}` : ''}${detail ? `<br/>${detail}` : ''}`;
    return `  ${id}${i}["${label.replace(/"/g, "'")}"]:::${state?.status ?? 'plain'}`;
  });
  const edges =
    flow.flow.steps.length > 1
      ? [
          `  ${flow.flow.steps.map((_, i) => `${id}${i}`).join(flow.flow.order === 'strict' ? ' --> ' : ' --- ')}`,
        ]
      : [];
  return [
    '```mermaid',
    'flowchart LR',
    ...nodes,
    ...edges,
    // GitHub's dark theme draws node text light: with these light fills it would be unreadable,
    // so every fill comes with its own dark text colour.
    '  classDef satisfied fill:#dcfce7,stroke:#16a34a,color:#14532d',
    '  classDef waiting fill:#fef9c3,stroke:#ca8a04,color:#713f12',
    '  classDef not-yet-reachable fill:#f3f4f6,stroke:#9ca3af,color:#1f2937',
    '  classDef unsatisfiable fill:#fee2e2,stroke:#dc2626,color:#7f1d1d',
    '  classDef plain fill:#f3f4f6,stroke:#6b7280,color:#1f2937',
    '```',
  ];
}

function flowSection(
  flow: RequiredFlow,
  policy: Policy,
  result: ApprovalResult | undefined,
  n: number,
): string[] {
  const why =
    flow.reason === 'sql'
      ? `for ${flow.source} at ${flow.level} risk`
      : 'because this PR changes the policy files';
  const state = result
    ? `${STATE_ICON[result.state]} ${result.state === 'approved' ? 'satisfied' : result.summary}`
    : '';
  const lines = [
    `### Approval flow: ${flow.flow.title} ${state ? `— ${state}` : ''}`.trimEnd(),
    '',
    `Required ${why}; order: ${flow.flow.order}.`,
    '',
  ];
  lines.push(...mermaid(flow, policy, result, `f${n}s`), '');
  if (result) {
    const next = result.steps.filter((s) => s.status === 'waiting');
    for (const step of next) {
      const who = step.eligible.length > 0 ? step.eligible.map((p) => `@${p}`).join(', ') : 'no one eligible';
      lines.push(
        `**Next:** ${step.roleTitle} — ${step.count - step.approvals.length} more approval${step.count - step.approvals.length === 1 ? '' : 's'} from ${who}`,
      );
    }
    for (const step of result.steps.filter((s) => s.notes.length > 0))
      lines.push(`> ⚠️ Step ${step.index + 1} (${step.roleTitle}): ${step.notes.join('; ')}`);
    for (const r of result.rejections)
      lines.push(
        `> ⛔ @${r.login} requested changes: the flow is blocked until they approve or the review is dismissed`,
      );
    if (result.ignored.length > 0) {
      lines.push('', '<details><summary>Approvals that did not count</summary>', '');
      for (const x of result.ignored) lines.push(`- @${x.login} (${x.at}): ${x.explanation}`);
      lines.push('', '</details>');
    }
  } else {
    flow.flow.steps.forEach((step, i) => {
      const role = policy.roles.find((r) => r.id === step.role);
      lines.push(
        `${i + 1}. ${role?.title ?? step.role}${step.count > 1 ? ` ×${step.count}` : ''}: ${role?.members.join(', ') || 'no members (fails closed)'}`,
      );
    });
  }
  lines.push('');
  return lines;
}

/** After approval: which environments the PR's migrations reach, how, and by whose hand. */
function whatHappensNext(policy: Policy, risk: RiskReport): string[] {
  const ids = new Set(risk.tasks.map((t) => t.environment));
  const envs = policy.environments.filter((e) => ids.has(e.id));
  if (envs.length === 0) return [];
  const roleTitles = (ids: readonly string[]) => {
    const titles = ids.map((id) => policy.roles.find((r) => r.id === id)?.title ?? id);
    return titles.length > 1 ? `${titles.slice(0, -1).join(', ')} or ${titles.at(-1)}` : (titles[0] ?? '');
  };
  const lines = envs.map((env, i) =>
    env.rollout === 'automatic'
      ? `${i + 1}. Merging this PR deploys **${env.title}** automatically.`
      : `${i + 1}. **${env.title}** is deployed when a member of ${roleTitles(env.rolloutRoles)} pushes a tag matching \`${env.tag}\` on a commit of the default branch.`,
  );
  return ['### What happens next', '', ...lines, ''];
}

function statementLine(
  policy: Policy,
  t: TaskRisk,
  s: StatementRisk,
  rehearsed: ((file: string, index: number) => RehearsalMeasure | undefined) | undefined,
): string {
  const rules = s.matches.filter((m) => m.level === s.level).map((m) => m.title);
  if (s.unparsed) rules.unshift(s.unparsed.explanation);
  const statement = escapeCell(s.preview.slice(0, 80)).replace(/`/g, "'");
  const line = `| ${escapeCell(t.file)}:${s.start.line} | ${envTitle(policy, t.environment)} | ${s.facts.type} | ${ICON[s.level]} ${s.level} | \`${statement}\` | ${escapeCell(rules.join('; ') || '—')} |`;
  if (!rehearsed) return line;
  // The facts rehearsalFailed and rehearsalMs as the rules saw them, beside the level they gave.
  const m = rehearsed(t.file, s.index);
  const cell = !m
    ? 'not run'
    : m.failed
      ? '❌ failed'
      : `✅ ${m.ms === 'unknown' ? '' : seconds(m.ms)}`.trim();
  return `${line} ${cell} |`;
}

export function commentMarkdown(input: CommentInput): string {
  const { plan } = input;
  const { risk, policy } = plan;
  const approvals = input.approvals;
  const allSatisfied = approvals ? approvals.every((a) => a.state === 'approved') : undefined;
  const headline =
    plan.flows.length === 0
      ? '✅ no approval needed'
      : allSatisfied === undefined
        ? `needs ${plan.flows.map((f) => f.flow.title).join(' and ')}`
        : allSatisfied
          ? '✅ approved'
          : `${approvals?.some((a) => a.state === 'blocked') ? STATE_ICON.blocked : STATE_ICON.waiting} ${approvals
              ?.filter((a) => a.state !== 'approved')
              .map((a) => a.summary)
              .join('; ')}`;
  const rehearsalFailed =
    input.rehearsal && rehearsalProblem(input.rehearsal.report, input.rehearsal.missing) !== undefined;
  const head: string[] = [
    `## sqlgate: ${ICON[risk.level]} ${RISK_HEADING[risk.level]} — ${rehearsalFailed ? '❌ rehearsal failed; ' : ''}${headline}`,
    '',
  ];
  const sources = Object.entries(risk.levelBySource).map(([s, l]) => `**${s}** ${ICON[l as RiskLevel]} ${l}`);
  head.push(
    `${plan.migrations.length} migration file${plan.migrations.length === 1 ? '' : 's'}, ${risk.tasks.length} task${risk.tasks.length === 1 ? '' : 's'}. Risk by source: ${sources.join(', ') || 'none'}. Policies from the base commit \`${plan.base.commit.slice(0, 7)}\`.`,
    '',
  );
  if (input.rehearsal) head.push(...rehearsalMarkdown(input.rehearsal.report, input.rehearsal.missing));
  if (plan.deployRefusals.length > 0)
    head.push(
      '### ❌ The deploy would refuse this',
      '',
      'sqlgate cannot apply these files exactly once, so the deploy would stop before running them; change them before asking for approval:',
      '',
      ...plan.deployRefusals.map((r) => `- \`${escapeCell(r.file)}\`: ${escapeCell(r.reason)}`),
      '',
    );

  const flows = plan.flows.flatMap((f, i) => flowSection(f, policy, approvals?.[i], i));
  if (plan.flows.length === 0)
    flows.push('No assignment covers this risk: no manual approval is needed.', '');
  if (plan.flows.length === 0 || allSatisfied) flows.push(...whatHappensNext(policy, risk));

  const policySection: string[] = [];
  if (plan.policyChange) {
    policySection.push(
      '### Policy change',
      '',
      `This PR changes ${plan.policyChange.files.map((f) => `\`${f}\``).join(', ')}; it is evaluated with the base policies.`,
      '',
    );
    for (const line of plan.policyChange.diff) policySection.push(`- ${line}`);
    policySection.push('', ...(input.policyReview ?? []));
  }

  const methodSection = methodLines(plan);

  const tableHead = [
    ...methodSection,
    '### Tasks',
    '',
    '| File | Environment | Level | Statements | Rule |',
    '| --- | --- | --- | --- | --- |',
  ];
  const sortedTasks = [...risk.tasks];
  const fixedLength = [...head, ...flows, ...policySection, ...tableHead].join('\n').length;
  const rows: string[] = [];
  let used = fixedLength;
  let omittedTasks = 0;
  // Highest risk first when space runs out, so what is cut is the least interesting.
  const byRisk = [...sortedTasks].sort((a, b) => compareLevels(b.level, a.level));
  const keep = new Set<TaskRisk>();
  for (const t of byRisk) {
    const row = taskRow(policy, t);
    if (used + row.length + 1 > BUDGET * 0.6) {
      omittedTasks++;
      continue;
    }
    keep.add(t);
    used += row.length + 1;
  }
  for (const t of sortedTasks) if (keep.has(t)) rows.push(taskRow(policy, t));
  if (risk.tasks.length === 0) rows.push('| — | — | — | no migrations changed | — |');
  if (omittedTasks > 0) {
    rows.push(
      '',
      `… and ${omittedTasks} more lower-risk task${omittedTasks === 1 ? '' : 's'}${input.detailsUrl ? `: see the [full report](${input.detailsUrl})` : ' (see the job summary)'}.`,
    );
  }

  const detail: string[] = [];
  const report = input.rehearsal?.report;
  const rehearsed = report ? rehearsalMeasures(report) : undefined;
  const detailHead = [
    '',
    '<details><summary>Per-statement detail</summary>',
    '',
    `| Where | Env | Type | Level | Statement | Rules |${rehearsed ? ' Rehearsal |' : ''}`,
    `| --- | --- | --- | --- | --- | --- |${rehearsed ? ' --- |' : ''}`,
  ];
  used += detailHead.join('\n').length + 40;
  let omittedStatements = 0;
  for (const t of sortedTasks) {
    for (const s of t.statements) {
      const line = statementLine(policy, t, s, rehearsed);
      if (used + line.length + 1 > BUDGET) {
        omittedStatements++;
        continue;
      }
      detail.push(line);
      used += line.length + 1;
    }
  }
  if (omittedStatements > 0)
    detail.push(
      '',
      `… ${omittedStatements} more statement${omittedStatements === 1 ? '' : 's'} in the job summary.`,
    );
  const tail = detail.length > 0 ? [...detailHead, ...detail, '', '</details>'] : [];
  return [...head, ...flows, ...policySection, ...tableHead, ...rows, ...tail, ''].join('\n');
}

const METHOD_LINES = 50;

/** How each ALTER will run, so approvers approve the method (online, chunked) and not just the SQL. */
function methodLines(plan: PlanResult): string[] {
  const lines: string[] = [];
  for (const t of plan.risk.tasks) {
    for (const s of t.statements) {
      const runs = plan.executions?.get(executionKey(t.environment, t.file, s.index));
      for (const line of executionLines(runs ?? []))
        lines.push(
          `- \`${escapeCell(t.file)}:${s.start.line}\` (${envTitle(plan.policy, t.environment)}): ${line}`,
        );
    }
  }
  if (lines.length === 0) return [];
  const shown = lines.slice(0, METHOD_LINES);
  if (lines.length > shown.length) shown.push(`- … and ${lines.length - shown.length} more`);
  return ['### How the ALTERs run', '', ...shown, ''];
}

export function planMarkdown(plan: PlanResult): string {
  return commentMarkdown({ plan });
}
