// Policies as they are at a commit: what a PR is judged by (its base branch's tip), never its head.
import type { PolicySource } from '../policy/source.js';
import { policyPaths } from '../policy/source.js';
import type { PolicyFileKey } from '../policy/types.js';
import type { GitRepo } from './repo.js';

export async function commitPolicySource(
  repo: GitRepo,
  commit: string,
  dir: string,
  label: string,
): Promise<PolicySource> {
  const paths = policyPaths(dir);
  const files = await repo.readFiles(commit, Object.values(paths));
  const texts: PolicySource['texts'] = {};
  for (const [key, path] of Object.entries(paths) as [PolicyFileKey, string][]) {
    const bytes = files.get(path);
    if (bytes) texts[key] = bytes.toString('utf8');
  }
  return { dir, commit: { sha: commit, label }, texts };
}
