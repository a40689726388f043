import { resolve } from 'node:path';
import type { PolicyError } from '../errors.js';
import { loadPolicyDir as loadPolicyDirectory } from '../files/policy-dir.js';
import { summarisePolicy } from '../policy/load.js';
import type { Policy } from '../policy/types.js';
import type { CliIo } from './io.js';

/** Load the policies of a directory or throw an InputError listing every problem. */
export function loadPolicyDir(io: CliIo, dir: string, warnings: PolicyError[] = []): Policy {
  return loadPolicyDirectory(resolve(io.cwd, dir), dir.replace(/\/+$/, ''), warnings);
}

export function runValidate(io: CliIo, options: { policies: string }): number {
  const warnings: PolicyError[] = [];
  const policy = loadPolicyDir(io, options.policies, warnings);
  for (const w of warnings) io.err(`${w.file}:${w.line}:${w.column}: warning: ${w.message}`);
  io.out(`ok: ${summarisePolicy(policy)}`);
  return 0;
}
