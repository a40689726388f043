import type { StatementFacts } from '../sql/facts.js';

/** A measured number, or `unknown` when it could not be measured (no database URL, no estimate). */
export type Estimate = number | 'unknown';

/** One statement as deployed to one database of one environment: what rule conditions see. */
export interface StatementContext {
  readonly environment: string;
  readonly database: string;
  readonly file: string;
  readonly facts: StatementFacts;
  readonly tableRows: Estimate;
  readonly affectedRows: Estimate;
  /** The rehearsal's measurements, when the statement was rehearsed. */
  readonly rehearsal?: RehearsalMeasure;
}

/**
 * `failed`: this statement, or the up → down → up of its file, failed in the rehearsal;
 * undefined when it did not run. `ms`: how long it took there.
 */
export interface RehearsalMeasure {
  readonly failed?: boolean;
  readonly ms: Estimate;
}

/** A fact's value: a value (or several, any may match), unknown, or not applicable. */
export type FactValue =
  | { readonly kind: 'text'; readonly values: readonly string[] }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'n/a' };

export interface FactDefinition {
  readonly name: string;
  readonly type: 'text' | 'number' | 'boolean';
  read(context: StatementContext): FactValue;
}

export const text = (...values: string[]): FactValue => ({ kind: 'text', values });
export const bool = (value: boolean): FactValue => ({ kind: 'boolean', value });
export const NOT_APPLICABLE: FactValue = { kind: 'n/a' };
export const estimate = (value: Estimate): FactValue =>
  value === 'unknown' ? { kind: 'unknown' } : { kind: 'number', value };
