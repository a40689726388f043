// A reader that goes away before the command writes (`sqlgate … | head`, `| true`) must not crash
// the command with an EPIPE stack trace: the command finishes and exits as it would have.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';

function piped(args: string): string {
  // A pipe whose reader (`true`) has already exited when the command writes: EPIPE.
  const bin = join(REPO_ROOT, 'bin/sqlgate.js');
  const run = spawnSync('sh', ['-c', `(sleep 0.3; node ${bin} ${args}; echo "exit=$?" >&2) | true`], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return run.stderr;
}

describe('output into a closed pipe', () => {
  it('validate into a reader that has exited ends without an EPIPE error', () => {
    const stderr = piped('validate --policies policies');
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).toContain('exit=0');
  });
});
