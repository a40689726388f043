import * as core from '@actions/core';

// Placeholder until the Action issue lands: validates the policies so the step is useful now.
async function main(): Promise<void> {
  const { runCli } = await import('./cli.js');
  const policies = core.getInput('policies-dir') || 'policies';
  const code = await runCli(['validate', '--policies', policies]);
  if (code !== 0) core.setFailed(`sqlgate: policy validation failed (exit ${code})`);
}

main().catch((error: unknown) => core.setFailed(error instanceof Error ? error.message : String(error)));
