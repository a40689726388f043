// The validated policy model. Everything here is produced by `loadPolicies` after schema and
// cross-reference checks, so a `Policy` value never holds an unknown role, a flow without steps
// or a manual environment without a tag.
import type { ChangeSource } from '../sql/statement-types.js';

export const RISK_LEVELS = ['none', 'low', 'moderate', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
/** Levels a rule may assign; `none` is only ever the absence of a match. */
export type RuleLevel = Exclude<RiskLevel, 'none'>;

export const BUILTIN_ROLES = ['workspace-owner', 'dba', 'project-owner', 'developer'] as const;

export interface Role {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly builtin: boolean;
  /** GitHub logins (`octocat`) and teams (`acme/dba-team`), as written. */
  readonly members: readonly string[];
}

export type Scalar = string | number | boolean;
export interface Comparison {
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
}
/** A value, a list of values (any of), a glob (strings containing * ? or [), or a comparison. */
export type Matcher = Scalar | readonly Scalar[] | Comparison;

export type Condition =
  | { readonly kind: 'facts'; readonly facts: Readonly<Record<string, Matcher>> }
  | { readonly kind: 'all'; readonly of: readonly Condition[] }
  | { readonly kind: 'any'; readonly of: readonly Condition[] }
  | { readonly kind: 'not'; readonly of: Condition };

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface RiskRule {
  readonly title: string;
  readonly source: ChangeSource;
  readonly level: RuleLevel;
  readonly when: Condition;
  /** Where the rule is written, so a decision can point back at it. */
  readonly at: SourceLocation;
}

export interface RiskPolicy {
  readonly rules: readonly RiskRule[];
  /** Level given to a statement the parser cannot read: never lower than this. */
  readonly unparsedLevel: RuleLevel;
  /** Whether Bytebase's preset rules are in force beside the rules written (default; `preset: none` turns them off). */
  readonly preset: 'bytebase' | 'none';
  /** Migrations at or above this level need a down file (`requireRollback:`), where it is written. */
  readonly requireRollback?: { readonly level: RuleLevel; readonly at: SourceLocation };
  /**
   * Before an UPDATE or DELETE with a WHERE in a migration at or above this level runs, the rows
   * it will touch are copied into `sqlgate_backup` (`backupDml:`), so rollback can restore them.
   */
  readonly backupDml?: { readonly level: RuleLevel; readonly at: SourceLocation };
}

export interface FlowStep {
  readonly role: string;
  readonly count: number;
}

export type ApprovalOrder = 'strict' | 'any';
export type StaleApprovals = 'on-sql-change' | 'on-push' | 'keep';

export interface ApprovalFlow {
  readonly id: string;
  readonly title: string;
  /** Never empty: a flow without steps is a validation error. */
  readonly steps: readonly [FlowStep, ...FlowStep[]];
  readonly order: ApprovalOrder;
  readonly allowSamePersonInSteps: boolean;
  /** A standing request for changes from anyone holding a role of the flow blocks it. */
  readonly blockOnChangesRequested: boolean;
  /** Where the flow is declared; absent for the built-in policy-change flow. */
  readonly at?: SourceLocation;
}

export interface Assignment {
  readonly source: ChangeSource;
  readonly level: RuleLevel;
  readonly flow: string;
}

export interface ApprovalPolicy {
  readonly flows: readonly ApprovalFlow[];
  readonly assignments: readonly Assignment[];
  readonly staleApprovals: StaleApprovals;
  /** The flow that changes to `policies/` need, on top of whatever their SQL needs. */
  readonly policyChangeFlow: ApprovalFlow;
}

/** Online schema change engines. Only pt-online-schema-change is built; gh-ost is the next seam. */
export const ONLINE_TOOLS = ['pt-online-schema-change'] as const;
export type OnlineTool = (typeof ONLINE_TOOLS)[number];

/** How pt-online-schema-change repoints foreign keys of child tables (its --alter-foreign-keys-method). */
export const FOREIGN_KEY_METHODS = ['auto', 'rebuild_constraints', 'drop_swap', 'none'] as const;
export type ForeignKeyMethod = (typeof FOREIGN_KEY_METHODS)[number];

/** When an environment sends an ALTER TABLE to an online tool instead of running it inline. */
export interface OnlineSchemaChangePolicy {
  readonly tool: OnlineTool;
  /** A risk-rule condition on the ALTER's facts (tableRows, tableRewrite, table, ...). */
  readonly when: Condition;
  /** Where the setting is written, so a decision can point back at it. */
  readonly at: SourceLocation;
  /** Rows copied per chunk (fixed, not adapted). */
  readonly chunkSize: number;
  /** Status variables that pause the copy when exceeded, e.g. `Threads_running=25`. */
  readonly maxLoad: string;
  /** Status variables that abort the change when exceeded, e.g. `Threads_running=50`. */
  readonly criticalLoad: string;
  /** Unset: a table that child tables reference is refused until the team chooses a method. */
  readonly foreignKeys?: ForeignKeyMethod;
}

interface EnvironmentBase {
  readonly id: string;
  readonly title: string;
  readonly order: number;
  /** Seconds a DDL statement may wait for a metadata lock before it fails. */
  readonly lockWaitTimeout: number;
  /**
   * Whether every deploy re-verifies that each migration came from a merged PR whose flow was
   * satisfied (default true). Off is an explicit opt-out, and `validate` warns about it.
   */
  readonly verifyApprovals: boolean;
  /** Absent: every ALTER runs inline. */
  readonly onlineSchemaChange?: OnlineSchemaChangePolicy;
  /** A migration whose task here is at or above this level needs a down file (with risk-rules.yaml's, the stricter holds). */
  readonly requireRollback?: { readonly level: RuleLevel; readonly at: SourceLocation };
}
export interface AutomaticEnvironment extends EnvironmentBase {
  readonly rollout: 'automatic';
}
export interface ManualEnvironment extends EnvironmentBase {
  readonly rollout: 'manual';
  /** Glob a pushed tag must match to roll this environment out, e.g. `prod/*`. */
  readonly tag: string;
  readonly rolloutRoles: readonly [string, ...string[]];
}
export type Environment = AutomaticEnvironment | ManualEnvironment;

export interface Database {
  readonly name: string;
  readonly environment: string;
  /** Name of the environment variable that holds the connection URL; the URL never lives in git. */
  readonly urlEnv: string;
  /** Folder under `migrations/` whose files this database receives (shards share one). */
  readonly migrations: string;
  /** Create the database on deploy when it does not exist. */
  readonly create: boolean;
}

export interface Policy {
  readonly roles: readonly Role[];
  readonly risk: RiskPolicy;
  readonly approval: ApprovalPolicy;
  readonly environments: readonly Environment[];
  readonly databases: readonly Database[];
}

export const POLICY_FILES = {
  roles: 'roles.yaml',
  risk: 'risk-rules.yaml',
  approval: 'approval-flows.yaml',
  environments: 'environments.yaml',
} as const;
export type PolicyFileKey = keyof typeof POLICY_FILES;

export function compareLevels(a: RiskLevel, b: RiskLevel): number {
  return RISK_LEVELS.indexOf(a) - RISK_LEVELS.indexOf(b);
}

export function maxLevel(a: RiskLevel, b: RiskLevel): RiskLevel {
  return compareLevels(a, b) >= 0 ? a : b;
}
