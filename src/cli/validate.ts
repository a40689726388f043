import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { loadPolicies, summarisePolicy } from '../policy/load.js';
import type { Policy } from '../policy/types.js';
import type { CliIo } from './io.js';
import { readPolicyDir } from './policy-dir.js';

/** Load the policies of a directory or throw an InputError listing every problem. */
export function loadPolicyDir(io: CliIo, dir: string): Policy {
  const shownAs = dir.replace(/\/+$/, '');
  const result = loadPolicies(readPolicyDir(resolve(io.cwd, dir), shownAs), shownAs);
  if (!result.ok) throw new InputError(result.errors);
  return result.policy;
}

export function runValidate(io: CliIo, options: { policies: string }): number {
  const policy = loadPolicyDir(io, options.policies);
  io.out(`ok: ${summarisePolicy(policy)}`);
  return 0;
}
