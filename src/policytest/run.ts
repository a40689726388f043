// Runs policy test cases: each case's SQL goes through the same engine a pull request does
// (evaluateRisk → requiredFlows → approvalsForPlan), and the result is compared with what the
// case expects. A mismatch explains itself: which rule matched where, which flow was assigned
// to what, why an approval did not count.
import { approvalsForPlan } from '../approval/for-plan.js';
import type { ApprovalResult, Review } from '../approval/types.js';
import { type RequiredFlow, requiredFlows } from '../plan/plan.js';
import type { Policy, RiskLevel, SourceLocation } from '../policy/types.js';
import { evaluateRisk, type RiskReport } from '../risk/evaluate.js';
import type { MigrationName } from '../sql/migration-name.js';
import type { ChangeSource } from '../sql/statement-types.js';
import type { Analyse } from '../whatif/analysis-cache.js';
import type { ApprovalStatus, PolicyTestCase } from './cases.js';

/** A rule that matched a statement of the case, and where. */
export interface RuleHit {
  readonly title: string;
  readonly level: RiskLevel;
  readonly at: SourceLocation;
  readonly preset: boolean;
  readonly environment: string;
  readonly source: ChangeSource;
  /** `policies/tests/sql/drop.sql:3` */
  readonly statementAt: string;
  readonly preview: string;
}

export interface CaseActual {
  readonly level: RiskLevel;
  readonly levels: Readonly<Partial<Record<ChangeSource, RiskLevel>>>;
  readonly flows: readonly RequiredFlow[];
  readonly approvals: readonly ApprovalResult[];
  readonly status: ApprovalStatus;
  /** Role ids of the steps waiting for an approval. */
  readonly waiting: readonly string[];
  readonly rules: readonly RuleHit[];
  /** Statements that could not be parsed, which take `unparsedLevel`. */
  readonly unparsed: readonly { readonly statementAt: string; readonly message: string }[];
}

/** One expectation that did not hold: what was expected, what happened, and why. */
export interface Mismatch {
  readonly what: string;
  readonly expected: string;
  readonly actual: string;
  readonly because: readonly string[];
}

export interface CaseResult {
  readonly case: PolicyTestCase;
  readonly passed: boolean;
  /** Undefined when the case could not be evaluated under these policies (then `mismatches` says why). */
  readonly actual?: CaseActual;
  readonly mismatches: readonly Mismatch[];
}

export interface PolicyTestRun {
  readonly results: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
}

export interface RunOptions {
  readonly policy: Policy;
  readonly analyse: Analyse;
  readonly migrationsDir?: string;
}

export async function runPolicyTests(
  cases: readonly PolicyTestCase[],
  options: RunOptions,
): Promise<PolicyTestRun> {
  const results: CaseResult[] = [];
  for (const c of cases) results.push(await runCase(c, options));
  const passed = results.filter((r) => r.passed).length;
  return { results, passed, failed: results.length - passed };
}

async function runCase(c: PolicyTestCase, options: RunOptions): Promise<CaseResult> {
  const { policy } = options;
  const known = policy.databases.filter((d) => d.name === c.database);
  if (known.length === 0) {
    const names = [...new Set(policy.databases.map((d) => d.name))].join(', ') || 'none';
    return unevaluable(c, `no database "${c.database}" in environments.yaml (databases: ${names})`);
  }
  const unknownEnv = c.environments?.find((e) => !known.some((d) => d.environment === e));
  if (unknownEnv !== undefined) {
    const where = known.map((d) => d.environment).join(', ');
    return unevaluable(
      c,
      `database "${c.database}" is not in environment "${unknownEnv}" (it is in: ${where})`,
    );
  }
  const folder = (known[0] as (typeof known)[number]).migrations;
  const receivers = known.filter(
    (d) => d.migrations === folder && (!c.environments || c.environments.includes(d.environment)),
  );
  // The same policy, seen through the databases the case names: the engine itself does the rest.
  const view: Policy = { ...policy, databases: receivers };
  const path = c.path ?? `${options.migrationsDir ?? 'migrations'}/${folder}/1_policy_test.sql`;
  const migration: MigrationName = { path, folder, version: '1', parts: [1n], description: c.name };
  const statements = await options.analyse(c.sql);
  const risk = evaluateRisk(view, [{ migration, statements }]);
  const flows = requiredFlows(risk, policy, c.policyChange);
  const approvals = await caseApprovals(c, flows, policy, options.migrationsDir ?? 'migrations');
  const actual = describeActual(c, risk, flows, approvals);
  const mismatches = compare(c, actual, policy);
  return { case: c, passed: mismatches.length === 0, actual, mismatches };
}

function unevaluable(c: PolicyTestCase, why: string): CaseResult {
  return {
    case: c,
    passed: false,
    mismatches: [{ what: 'case', expected: 'evaluated', actual: 'not evaluated', because: [why] }],
  };
}

// Reviews get times in list order; a stale review was made on an earlier head whose files differ.
const HEAD = 'head';
const EARLIER = 'earlier';

/** The case's reviews through the approval code a PR check uses, with made-up commits and times. */
function caseApprovals(
  c: PolicyTestCase,
  flows: readonly RequiredFlow[],
  policy: Policy,
  migrationsDir: string,
): Promise<ApprovalResult[]> {
  const start = Date.UTC(2026, 0, 1);
  const reviews: Review[] = c.reviews.map((r, i) => ({
    id: i + 1,
    user: r.login,
    state: r.state,
    submittedAt: new Date(start + i * 60_000).toISOString(),
    commitId: r.stale ? EARLIER : HEAD,
  }));
  return approvalsForPlan({
    repo: { changeFingerprint: async (_base, commit) => (commit === HEAD ? 'files now' : 'files before') },
    plan: { base: { commit: 'base' }, policy, policiesDir: 'policies', migrationsDir, flows },
    reviews,
    teams: new Map([...c.teams].map(([team, members]) => [team, { members }])),
    author: c.author,
    headSha: HEAD,
  });
}

/** The commit status the approvals give, as the PR check sets it: a blocked flow fails it. */
export function approvalStatus(approvals: readonly ApprovalResult[]): ApprovalStatus {
  if (approvals.some((a) => a.state === 'blocked')) return 'failure';
  return approvals.some((a) => a.state === 'waiting') ? 'pending' : 'success';
}

function describeActual(
  c: PolicyTestCase,
  risk: RiskReport,
  flows: readonly RequiredFlow[],
  approvals: readonly ApprovalResult[],
): CaseActual {
  const line = (n: number) => `${c.sqlAt.file}:${c.sqlAt.firstLine + n - 1}`;
  const rules: RuleHit[] = [];
  const unparsed: CaseActual['unparsed'][number][] = [];
  for (const task of risk.tasks) {
    for (const s of task.statements) {
      if (s.unparsed) unparsed.push({ statementAt: line(s.start.line), message: s.unparsed.message });
      for (const m of s.matches) {
        rules.push({
          title: m.title,
          level: m.level,
          at: m.at,
          preset: m.preset,
          environment: task.environment,
          source: s.facts.source,
          statementAt: line(s.start.line),
          preview: s.preview,
        });
      }
    }
  }
  return {
    level: risk.level,
    levels: risk.levelBySource,
    flows,
    approvals,
    status: approvalStatus(approvals),
    waiting: approvals.flatMap((a) => a.steps.filter((s) => s.status === 'waiting').map((s) => s.role)),
    rules,
    unparsed: [...new Map(unparsed.map((u) => [u.statementAt, u])).values()],
  };
}

const ruleWhere = (r: { at: SourceLocation; preset: boolean }) =>
  r.preset ? 'Bytebase preset' : `${r.at.file}:${r.at.line}`;

/** Why a source reached its level: the rules at that level, or the unparsable statements. */
function levelReasons(actual: CaseActual, level: RiskLevel, source?: ChangeSource): string[] {
  if (level === 'none') {
    const any = actual.rules.filter((r) => source === undefined || r.source === source);
    return any.length === 0 ? ['no rule matched'] : [];
  }
  const hits = actual.rules.filter((r) => r.level === level && (source === undefined || r.source === source));
  const reasons = hits.map(
    (r) =>
      `${r.level}: rule "${r.title}" (${ruleWhere(r)}) matched ${r.statementAt} in ${r.environment}: ${r.preview}`,
  );
  for (const u of actual.unparsed)
    reasons.push(`unparsable SQL at ${u.statementAt} (${u.message}): unparsedLevel`);
  return [...new Set(reasons)];
}

function flowReason(f: RequiredFlow): string {
  return f.reason === 'sql'
    ? `${f.flow.id}: assigned to ${f.source} × ${f.level}${f.flow.at ? ` (${f.flow.at.file}:${f.flow.at.line})` : ''}`
    : `${f.flow.id}: the change edits the policies (policyChanges.flow)`;
}

function approvalReasons(actual: CaseActual): string[] {
  return actual.approvals.flatMap((a) => [
    `${a.flow.id}: ${a.state === 'approved' ? 'satisfied' : a.summary}`,
    ...a.ignored.map((x) => `not counted: ${x.login} (${x.reason}): ${x.explanation}`),
  ]);
}

const list = (xs: readonly string[]) => (xs.length === 0 ? '(none)' : xs.join(', '));

function compare(c: PolicyTestCase, actual: CaseActual, policy: Policy): Mismatch[] {
  const e = c.expect;
  const out: Mismatch[] = [];
  if (e.level !== undefined && e.level !== actual.level) {
    out.push({
      what: 'level',
      expected: e.level,
      actual: actual.level,
      because: levelReasons(actual, actual.level),
    });
  }
  for (const [source, level] of Object.entries(e.levels ?? {}) as [ChangeSource, RiskLevel][]) {
    const got = actual.levels[source] ?? 'none';
    if (got !== level)
      out.push({
        what: `level of ${source}`,
        expected: level,
        actual: got,
        because: levelReasons(actual, got, source),
      });
  }
  if (e.flows !== undefined) {
    const got = actual.flows.map((f) => f.flow.id);
    if ([...e.flows].sort().join(',') !== [...got].sort().join(',')) {
      const declared = new Set([
        ...policy.approval.flows.map((f) => f.id),
        policy.approval.policyChangeFlow.id,
      ]);
      out.push({
        what: 'flows',
        expected: list(e.flows),
        actual: list(got),
        because: [
          ...actual.flows.map(flowReason),
          ...(actual.flows.length === 0 ? [`no assignment covers ${levelsText(actual)}`] : []),
          ...e.flows.filter((id) => !declared.has(id)).map((id) => `no flow "${id}" in approval-flows.yaml`),
        ],
      });
    }
  }
  for (const title of e.rules ?? []) {
    if (actual.rules.some((r) => r.title === title)) continue;
    const declared = policy.risk.rules.some((r) => r.title === title);
    const matched = [...new Set(actual.rules.map((r) => `"${r.title}" (${ruleWhere(r)})`))];
    out.push({
      what: 'rules',
      expected: `"${title}" matches`,
      actual: 'it does not',
      because: [
        declared ? `rules that matched: ${list(matched)}` : `no rule titled "${title}" in risk-rules.yaml`,
      ],
    });
  }
  if (e.status !== undefined && e.status !== actual.status) {
    out.push({ what: 'status', expected: e.status, actual: actual.status, because: approvalReasons(actual) });
  }
  if (e.waiting !== undefined && !actual.waiting.includes(e.waiting)) {
    out.push({
      what: 'waiting step',
      expected: e.waiting,
      actual: list(actual.waiting),
      because: approvalReasons(actual),
    });
  }
  for (const x of e.notCounted ?? []) {
    const ignored = actual.approvals.flatMap((a) => a.ignored);
    const found = ignored.find(
      (i) => i.login === x.login.toLowerCase() && (!x.reason || i.reason === x.reason),
    );
    if (found) continue;
    out.push({
      what: 'not counted',
      expected: `${x.login}${x.reason ? ` (${x.reason})` : ''} does not count`,
      actual: ignored.some((i) => i.login === x.login.toLowerCase())
        ? `${x.login} does not count for another reason`
        : `${x.login}'s approval counts or was not given`,
      because: approvalReasons(actual),
    });
  }
  return out;
}

function levelsText(actual: CaseActual): string {
  const pairs = Object.entries(actual.levels).map(([s, l]) => `${s} × ${l}`);
  return pairs.length > 0 ? pairs.join(', ') : 'level none';
}
