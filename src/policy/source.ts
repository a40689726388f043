// Policies come from one of two places: a directory (the CLI's working tree, the Action's
// checkout) or a commit (the tip of a PR's base branch, the default branch for a rollout). The
// adapters (files/policy-dir.ts, git/policy-source.ts) read the files into a PolicySource; loading
// and its errors are the same for both.
import { Diagnostic, InputError } from '../errors.js';
import { loadPolicies, type PolicyTexts } from './load.js';
import { POLICY_FILES, type Policy, type PolicyFileKey } from './types.js';

export interface PolicySource {
  /** The policies folder as diagnostics name it (`policies`). */
  readonly dir: string;
  /** The commit the files were read from and what it is (`tip of main`); absent for a directory. */
  readonly commit?: { readonly sha: string; readonly label: string };
  /** The policy files that exist there. */
  readonly texts: PolicyTexts;
}

/** Each policy file's path under `dir`. */
export function policyPaths(dir: string): Record<PolicyFileKey, string> {
  return Object.fromEntries(Object.entries(POLICY_FILES).map(([k, name]) => [k, `${dir}/${name}`])) as Record<
    PolicyFileKey,
    string
  >;
}

/**
 * The policies of a source, or an InputError listing every problem (and, for a commit, which
 * commit); what is accepted but worth fixing goes to `warnings`.
 */
export function loadPolicySource(source: PolicySource, warnings: Diagnostic[] = []): Policy {
  const { dir, commit } = source;
  const at = commit ? `the ${commit.label} (${commit.sha.slice(0, 7)})` : '';
  if (commit && Object.keys(source.texts).length === 0) {
    throw new InputError(
      `no policy files in ${dir}/ at ${at}; sqlgate reads policies from the base so a change cannot lower its own bar: merge the policies first`,
    );
  }
  const result = loadPolicies(source.texts, dir);
  if (!result.ok) {
    throw new InputError(
      commit
        ? [new Diagnostic(dir, 0, 0, `the policies at ${at} are invalid:`), ...result.errors]
        : result.errors,
    );
  }
  warnings.push(...result.warnings);
  return result.policy;
}
