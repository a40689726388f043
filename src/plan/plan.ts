// `plan`: what a change (base..head) does and what it needs. Policies are read from the tip of
// the base, never from the head (a change cannot lower its own bar) and never from the merge base
// (which the change's author picks by branching from an old commit). The merge base only decides
// which files the change touches.

import { deployStatements } from '../deploy/sources.js';
import { unitsOf } from '../deploy/units.js';
import { Diagnostic, InputError } from '../errors.js';
import { commitPolicySource } from '../git/policy-source.js';
import type { FileChange, GitRepo } from '../git/repo.js';
import { type PlanExecutions, planExecutions, type TableShapeLookup } from '../online/plan-executions.js';
import { describePolicyDiff } from '../policy/diff.js';
import { isGateFile } from '../policy/gate-files.js';
import { loadPolicySource } from '../policy/source.js';
import type { ApprovalFlow, Database, Policy, RiskLevel } from '../policy/types.js';
import {
  type AnalysedMigrationWithText,
  type EstimateLookup,
  evaluateRisk,
  type RiskReport,
} from '../risk/evaluate.js';
import { analyseScripts, type StatementParser } from '../sql/analyse.js';
import { decodeSql } from '../sql/decode.js';
import {
  collectMigrations,
  isDownFile,
  isMigrationCandidate,
  type MigrationName,
  newFileProblem,
  parseMigrationName,
} from '../sql/migration-name.js';
import type { ChangeSource } from '../sql/statement-types.js';

export interface PlanOptions {
  readonly repo: GitRepo;
  readonly base: string;
  readonly head?: string;
  readonly policiesDir?: string;
  readonly migrationsDir?: string;
  readonly parser: StatementParser;
  /** Looks up row estimates; called after analysis with the statements' texts available. */
  readonly estimates?: (
    policy: Policy,
    migrations: readonly AnalysedMigrationWithText[],
  ) => Promise<EstimateLookup>;
  /** Reads the tables ALTERs routed online would touch (keys, triggers, foreign keys). */
  readonly tableShapes?: (
    policy: Policy,
    migrations: readonly AnalysedMigrationWithText[],
  ) => Promise<TableShapeLookup>;
  readonly onProgress?: (message: string) => void;
  /**
   * Judge the change's down files too, as SQL of their migration's database (the rollback tag's
   * re-check of the PR that brought a down file: it runs on the database like a migration).
   */
  readonly judgeDownFiles?: boolean;
}

export interface RequiredFlow {
  /** Why the flow is needed: the SQL's risk, or a change to the policy files. */
  readonly reason: 'sql' | 'policy-change';
  readonly flow: ApprovalFlow;
  readonly source?: ChangeSource;
  readonly level?: RiskLevel;
}

export interface DeployRefusal {
  readonly file: string;
  readonly reason: string;
}

/** `path: line N: why`, as the deploy says it. */
export function refusalLine(r: DeployRefusal): string {
  return `${r.file}: ${r.reason}`;
}

export interface PlanResult {
  /** The base as given, and the commit whose policies are in force: the base's tip. */
  readonly base: { readonly ref: string; readonly commit: string };
  readonly head: { readonly commit: string };
  readonly policy: Policy;
  readonly policiesDir: string;
  readonly migrationsDir: string;
  readonly migrations: readonly MigrationName[];
  readonly risk: RiskReport;
  readonly policyChange?: { readonly files: readonly string[]; readonly diff: readonly string[] };
  readonly flows: readonly RequiredFlow[];
  /** How each ALTER runs per database where an environment has `onlineSchemaChange`. */
  readonly executions?: PlanExecutions;
  /**
   * What the deploy would refuse to run (a file it cannot apply exactly once: `SET autocommit =
   * 0`, a transaction left open, the server's global read lock, ...): each file, and why
   * (`line N: ...`).
   */
  readonly deployRefusals: readonly DeployRefusal[];
}

/** Base policy with databases the head adds: their migrations need a home, their risk the base's rules. */
function withNewDatabases(base: Policy, head: Policy): { policy: Policy; added: Database[] } {
  const key = (d: Database) => `${d.name}@${d.environment}`;
  const known = new Set(base.databases.map(key));
  const baseEnvs = new Set(base.environments.map((e) => e.id));
  const added = head.databases.filter((d) => !known.has(key(d)) && baseEnvs.has(d.environment));
  return { policy: { ...base, databases: [...base.databases, ...added] }, added };
}

/** The flows a change needs: its SQL's, and the policy-change flow when it edits the policies. */
export function requiredFlows(risk: RiskReport, policy: Policy, changesPolicies: boolean): RequiredFlow[] {
  const flows: RequiredFlow[] = [];
  if (risk.flow)
    flows.push({ reason: 'sql', flow: risk.flow.flow, source: risk.flow.source, level: risk.flow.level });
  if (changesPolicies) flows.push({ reason: 'policy-change', flow: policy.approval.policyChangeFlow });
  return flows;
}

export async function planChange(options: PlanOptions): Promise<PlanResult> {
  const { repo, parser } = options;
  const policiesDir = options.policiesDir ?? 'policies';
  const migrationsDir = options.migrationsDir ?? 'migrations';
  const progress = options.onProgress ?? (() => {});
  // The parser's worker starts while git is read.
  parser.warm?.();
  const headCommit = await repo.resolve(options.head ?? 'HEAD');
  const baseTip = await repo.resolve(await repo.qualify(options.base));
  const mergeBase = await repo.mergeBase(baseTip, headCommit);

  const basePolicy = loadPolicySource(
    await commitPolicySource(repo, baseTip, policiesDir, `base ${options.base}`),
  );
  const changes = await repo.changedFiles(mergeBase, headCommit);
  const touches = (c: FileChange, test: (path: string) => boolean) =>
    test(c.path) || (c.from !== undefined && test(c.from));
  const policyFilesChanged = changes.filter((c) => touches(c, (p) => p.startsWith(`${policiesDir}/`)));
  const gateFilesChanged = changes.filter((c) => touches(c, isGateFile));
  const headPolicy =
    policyFilesChanged.length > 0
      ? loadPolicySource(await commitPolicySource(repo, headCommit, policiesDir, 'head'))
      : basePolicy;
  const { policy, added } = withNewDatabases(basePolicy, headPolicy);

  const errors: Diagnostic[] = [];
  const { migrations: all, errors: nameErrors } = collectMigrations(
    await repo.listFiles(headCommit, migrationsDir),
    migrationsDir,
  );
  errors.push(...nameErrors);
  for (const change of changes) {
    if (change.status !== 'added' || nameErrors.some((e) => e.file === change.path)) continue;
    const problem = newFileProblem(change.path, migrationsDir);
    if (problem) errors.push(problem);
  }
  const changedMigrations: MigrationName[] = [];
  for (const change of changes) {
    const touchesMigration =
      isMigrationCandidate(change.path, migrationsDir) ||
      (change.from !== undefined && isMigrationCandidate(change.from, migrationsDir));
    if (!touchesMigration) continue;
    // A down file is a rollback plan, not history: it may be added, revised or removed later.
    if (isDownFile(change.path)) {
      const name =
        options.judgeDownFiles &&
        change.status !== 'deleted' &&
        parseMigrationName(change.path, migrationsDir);
      if (name && !(name instanceof Diagnostic)) changedMigrations.push(name);
      continue;
    }
    if (change.status !== 'added') {
      errors.push(
        new Diagnostic(
          change.from ?? change.path,
          0,
          0,
          `history is append-only: this migration is already on the base branch and was ${change.status}; add a new migration instead`,
        ),
      );
      continue;
    }
    const migration = all.find((m) => m.path === change.path);
    if (migration) changedMigrations.push(migration);
  }
  for (const m of changedMigrations) {
    if (!policy.databases.some((d) => d.migrations === m.folder)) {
      const folders = [...new Set(policy.databases.map((d) => d.migrations))].join(', ');
      errors.push(
        new Diagnostic(
          m.path,
          0,
          0,
          `no database in ${policiesDir}/environments.yaml receives ${migrationsDir}/${m.folder}/ (folders in use: ${folders || 'none'})`,
        ),
      );
    }
  }
  if (errors.length > 0) throw new InputError(errors);

  progress(
    `analysing ${changedMigrations.length} migration file${changedMigrations.length === 1 ? '' : 's'}`,
  );
  const contents = await repo.readFiles(
    headCommit,
    changedMigrations.map((m) => m.path),
  );
  const decoded: { migration: MigrationName; text: string }[] = [];
  for (const migration of changedMigrations) {
    const text = decodeSql(migration.path, contents.get(migration.path) ?? Buffer.alloc(0));
    if (text instanceof Diagnostic) errors.push(text);
    else decoded.push({ migration, text });
  }
  if (errors.length > 0) throw new InputError(errors);
  const statements = await analyseScripts(
    decoded.map((d) => d.text),
    parser,
  );
  const analysed: AnalysedMigrationWithText[] = decoded.map((d, i) => ({
    ...d,
    statements: statements[i] ?? [],
  }));

  const estimates = options.estimates ? await options.estimates(policy, analysed) : undefined;
  const creates = added.filter((d) => d.create);
  const risk = evaluateRisk(policy, analysed, { ...(estimates ? { estimates } : {}), creates });
  const shapes = options.tableShapes ? await options.tableShapes(policy, analysed) : undefined;
  const executions = planExecutions(policy, risk, estimates, shapes);
  // Split and judged as the deploy engine will: said now, before approval and merge, rather
  // than by the deploy to Test after it.
  const deployRefusals = decoded.flatMap(({ migration, text }) => {
    const units = unitsOf(deployStatements(text));
    return 'error' in units ? [{ file: migration.path, reason: units.error }] : [];
  });

  const policyChange =
    policyFilesChanged.length + gateFilesChanged.length > 0
      ? {
          files: [...policyFilesChanged, ...gateFilesChanged].map((c) => c.path),
          diff: [
            ...describePolicyDiff(basePolicy, headPolicy),
            ...gateFilesChanged.map(
              (c) =>
                `\`${c.path}\` decides how sqlgate runs and what its status means (a workflow can post sqlgate/approval itself), so changing it needs the policy-change flow`,
            ),
          ],
        }
      : undefined;
  const flows = requiredFlows(risk, basePolicy, policyChange !== undefined);

  return {
    base: { ref: options.base, commit: baseTip },
    head: { commit: headCommit },
    policy,
    policiesDir,
    migrationsDir,
    migrations: changedMigrations,
    risk,
    ...(policyChange ? { policyChange } : {}),
    flows,
    executions,
    deployRefusals,
  };
}
