// Statements whose real effect the reviewer cannot see in the migration: a stored routine's body,
// or SQL built at run time. A rule should rate them at least moderate.
import { bool, type FactDefinition } from '../context.js';

export const callsRoutine: FactDefinition = {
  name: 'callsRoutine',
  type: 'boolean',
  read: (c) => bool(c.facts.callsRoutine),
};
export const dynamic: FactDefinition = {
  name: 'dynamic',
  type: 'boolean',
  read: (c) => bool(c.facts.dynamic),
};
