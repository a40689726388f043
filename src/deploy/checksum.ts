// Checksums that survive a Windows checkout: line endings and a BOM do not change a migration.
import { createHash } from 'node:crypto';

export function normaliseSql(text: string): string {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, '\n');
}

export function fileChecksum(text: string): string {
  return `sha256:${createHash('sha256').update(normaliseSql(text)).digest('hex')}`;
}

export function statementHash(statement: string): string {
  return createHash('sha256').update(normaliseSql(statement)).digest('hex');
}

/** A running hash over the applied statements: it identifies exactly which prefix ran. */
export function cumulativeHash(hashes: readonly string[]): string {
  let acc = '';
  for (const h of hashes) acc = extendHash(acc, h);
  return acc;
}

/** The running hash one statement further: O(1) per statement, equal to cumulativeHash. */
export function extendHash(acc: string, hash: string): string {
  return createHash('sha256')
    .update(acc + hash)
    .digest('hex');
}
