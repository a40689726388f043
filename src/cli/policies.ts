// The policies a CLI command works with: the directory given by --policies, relative to the
// working directory, named in messages as the user wrote it.
import { resolve } from 'node:path';
import type { Diagnostic } from '../errors.js';
import { directoryPolicySource } from '../files/policy-dir.js';
import { loadPolicySource } from '../policy/source.js';
import type { Policy } from '../policy/types.js';
import type { CliIo } from './io.js';

/** Load the policies of a directory or throw an InputError listing every problem. */
export function loadPolicyDir(io: CliIo, dir: string, warnings: Diagnostic[] = []): Policy {
  return loadPolicySource(directoryPolicySource(resolve(io.cwd, dir), dir.replace(/\/+$/, '')), warnings);
}
