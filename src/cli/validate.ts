import { resolve } from 'node:path';
import { loadPolicyDir as loadPolicyDirectory } from '../files/policy-dir.js';
import { summarisePolicy } from '../policy/load.js';
import type { Policy } from '../policy/types.js';
import type { CliIo } from './io.js';

/** Load the policies of a directory or throw an InputError listing every problem. */
export function loadPolicyDir(io: CliIo, dir: string): Policy {
  return loadPolicyDirectory(resolve(io.cwd, dir), dir.replace(/\/+$/, ''));
}

export function runValidate(io: CliIo, options: { policies: string }): number {
  const policy = loadPolicyDir(io, options.policies);
  io.out(`ok: ${summarisePolicy(policy)}`);
  return 0;
}
