// Files outside `policies/` that decide how sqlgate runs and what its status means. A
// same-repository PR's workflow runs from the PR itself and can post `sqlgate/approval: success`
// with the workflow token, so changing one needs the policy-change flow, and an approval of such
// a change goes stale when they change again.
export const GATE_PATHS = [
  '.github/workflows',
  '.github/actions',
  'CODEOWNERS',
  '.github/CODEOWNERS',
  'docs/CODEOWNERS',
] as const;

export function isGateFile(path: string): boolean {
  return GATE_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}
