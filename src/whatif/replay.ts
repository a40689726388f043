// What-if replay: every migration that landed on the default branch, grouped by the pull request
// that landed it, evaluated under the current and the proposed policies with the engine a PR check
// uses (evaluateRisk and its flow choice). Reports each PR or commit whose level or flow would
// change. Analysis goes through a content-hash cache, so two policies cost one parse per file.
import type { Policy, RiskLevel } from '../policy/types.js';
import { evaluateRisk } from '../risk/evaluate.js';
import { type MigrationName, parseMigrationName } from '../sql/migration-name.js';
import type { ChangeSource } from '../sql/statement-types.js';
import type { Analyse } from './analysis-cache.js';
import type { Attribution } from './attribute.js';

/** A commit on the default branch and the migration files it added. */
export interface LandedChange {
  readonly commit: string;
  readonly date: string;
  readonly attribution: Attribution;
  readonly files: readonly { readonly path: string; readonly text: string }[];
}

export interface PolicyOutcome {
  readonly level: RiskLevel;
  readonly levelBySource: Readonly<Partial<Record<ChangeSource, RiskLevel>>>;
  readonly flow?: {
    readonly id: string;
    readonly title: string;
    readonly source: ChangeSource;
    readonly level: RiskLevel;
  };
  /** The highest level of each file over its environments. */
  readonly files: ReadonlyMap<string, RiskLevel>;
}

export interface ChangeDiff {
  readonly change: LandedChange;
  readonly current: PolicyOutcome;
  readonly proposed: PolicyOutcome;
  readonly levelChanged: boolean;
  readonly flowChanged: boolean;
  /** Files whose own level changes. */
  readonly files: readonly {
    readonly path: string;
    readonly current: RiskLevel;
    readonly proposed: RiskLevel;
  }[];
}

export interface WhatIfReport {
  /** Landed changes (PRs or direct commits) with migrations, and how many were replayed. */
  readonly total: number;
  readonly replayed: number;
  readonly files: number;
  readonly changed: readonly ChangeDiff[];
  /** "level high → moderate" or "flow a → b", with how many changes do that, most first. */
  readonly counts: readonly { readonly what: string; readonly count: number }[];
  /** Set when the replay stopped early: the newest `replayed` of `total` were replayed. */
  readonly cut?: {
    readonly reason: 'time-budget' | 'limit';
    readonly budgetMs?: number;
    readonly limit?: number;
  };
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

export interface ReplayInput {
  /** Newest first, as the branch's history lists them. */
  readonly changes: readonly LandedChange[];
  readonly current: Policy;
  readonly proposed: Policy;
  readonly analyse: Analyse;
  readonly migrationsDir: string;
  /** Replay at most the newest `limit` changes. */
  readonly limit?: number;
  /** Stop starting new changes after this many milliseconds. */
  readonly budgetMs?: number;
  readonly clock?: () => number;
}

export async function replayHistory(input: ReplayInput): Promise<WhatIfReport> {
  const clock = input.clock ?? Date.now;
  const started = clock();
  const skipped: { path: string; reason: string }[] = [];
  const changed: ChangeDiff[] = [];
  const candidates = input.changes.slice(0, input.limit ?? input.changes.length);
  let cut: WhatIfReport['cut'] =
    candidates.length < input.changes.length ? { reason: 'limit', limit: input.limit } : undefined;
  let replayed = 0;
  let files = 0;
  for (const change of candidates) {
    if (input.budgetMs !== undefined && clock() - started > input.budgetMs) {
      cut = { reason: 'time-budget', budgetMs: input.budgetMs };
      break;
    }
    const analysed = [];
    for (const file of change.files) {
      const name = parseMigrationName(file.path, input.migrationsDir);
      if (!('folder' in name)) {
        skipped.push({ path: file.path, reason: name.message });
        continue;
      }
      analysed.push({ migration: name as MigrationName, statements: await input.analyse(file.text) });
    }
    replayed++;
    files += analysed.length;
    if (analysed.length === 0) continue;
    const current = outcome(input.current, analysed);
    const proposed = outcome(input.proposed, analysed);
    const levelChanged = current.level !== proposed.level;
    const flowChanged = current.flow?.id !== proposed.flow?.id;
    if (!levelChanged && !flowChanged) continue;
    changed.push({
      change,
      current,
      proposed,
      levelChanged,
      flowChanged,
      files: [...current.files].flatMap(([path, level]) => {
        const after = proposed.files.get(path) ?? 'none';
        return after === level ? [] : [{ path, current: level, proposed: after }];
      }),
    });
  }
  return {
    total: input.changes.length,
    replayed,
    files,
    changed,
    counts: countChanges(changed),
    ...(cut ? { cut } : {}),
    skipped,
  };
}

function outcome(policy: Policy, analysed: Parameters<typeof evaluateRisk>[1]): PolicyOutcome {
  const risk = evaluateRisk(policy, analysed);
  const files = new Map<string, RiskLevel>(analysed.map((a) => [a.migration.path, 'none']));
  const rank = (l: RiskLevel) => ['none', 'low', 'moderate', 'high'].indexOf(l);
  for (const task of risk.tasks) {
    const known = files.get(task.file) ?? 'none';
    if (rank(task.level) > rank(known)) files.set(task.file, task.level);
  }
  return {
    level: risk.level,
    levelBySource: risk.levelBySource,
    ...(risk.flow
      ? {
          flow: {
            id: risk.flow.flow.id,
            title: risk.flow.flow.title,
            source: risk.flow.source,
            level: risk.flow.level,
          },
        }
      : {}),
    files,
  };
}

function countChanges(changed: readonly ChangeDiff[]): { what: string; count: number }[] {
  const counts = new Map<string, number>();
  const add = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);
  for (const d of changed) {
    if (d.levelChanged) add(`level ${d.current.level} → ${d.proposed.level}`);
    if (d.flowChanged) add(`flow ${d.current.flow?.id ?? 'none'} → ${d.proposed.flow?.id ?? 'none'}`);
  }
  return [...counts]
    .map(([what, count]) => ({ what, count }))
    .sort((a, b) => b.count - a.count || a.what.localeCompare(b.what));
}

/** Past reviews re-evaluated under the proposed flow: PRs those reviews would not have approved. */
export interface PastReviewVerdict {
  readonly pr: number;
  readonly flow: string;
  readonly approved: boolean;
  readonly summary: string;
}
