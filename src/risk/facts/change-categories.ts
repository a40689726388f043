// Atlas's analyzer categories and the ALTER options, each a boolean fact of the statement.
import { bool, type FactDefinition } from '../context.js';

export const destructive: FactDefinition = {
  name: 'destructive',
  type: 'boolean',
  read: (c) => bool(c.facts.destructive),
};
export const backwardIncompatible: FactDefinition = {
  name: 'backwardIncompatible',
  type: 'boolean',
  read: (c) => bool(c.facts.backwardIncompatible),
};
export const dataDependent: FactDefinition = {
  name: 'dataDependent',
  type: 'boolean',
  read: (c) => bool(c.facts.dataDependent),
};
export const tableRewrite: FactDefinition = {
  name: 'tableRewrite',
  type: 'boolean',
  read: (c) => bool(c.facts.tableRewrite),
};
export const hasAlgorithm: FactDefinition = {
  name: 'hasAlgorithm',
  type: 'boolean',
  read: (c) => bool(c.facts.hasAlgorithm),
};
export const hasLock: FactDefinition = {
  name: 'hasLock',
  type: 'boolean',
  read: (c) => bool(c.facts.hasLock),
};
