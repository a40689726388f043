// What the rehearsal of the PR (sqlgate rehearse, or the check's rehearsal database) measured for
// a statement. Without a rehearsal both are unknown, so a rule on them holds (fail closed).
import { bool, estimate, type FactDefinition } from '../context.js';

export const rehearsalFailed: FactDefinition = {
  name: 'rehearsalFailed',
  type: 'boolean',
  read: (c) => (c.rehearsal?.failed === undefined ? estimate('unknown') : bool(c.rehearsal.failed)),
};

export const rehearsalMs: FactDefinition = {
  name: 'rehearsalMs',
  type: 'number',
  read: (c) => estimate(c.rehearsal?.ms ?? 'unknown'),
};
