// A PR's approval state as the CLI prints it (`plan --reviews`), in text and in the stable JSON.
import type { ApprovalResult } from '../approval/types.js';

const MARK = { satisfied: '✓', waiting: '…', 'not-yet-reachable': '·', unsatisfiable: '✗' } as const;

export function approvalsText(approvals: readonly ApprovalResult[]): string {
  const out: string[] = [];
  for (const a of approvals) {
    out.push(`Approvals for ${a.flow.title}: ${a.state === 'approved' ? 'satisfied' : a.summary}`);
    for (const s of a.steps) {
      const who =
        s.approvals.length > 0
          ? `approved by ${s.approvals.map((x) => x.login).join(', ')}`
          : s.status === 'waiting'
            ? `may approve: ${s.eligible.join(', ') || 'no one'}`
            : '';
      out.push(
        `  ${MARK[s.status]} ${s.index + 1}. ${s.roleTitle}: ${s.status}${who ? ` (${who})` : ''}${s.notes.length > 0 ? ` — ${s.notes.join('; ')}` : ''}`,
      );
    }
    for (const r of a.rejections) out.push(`  blocked: ${r.login} requested changes`);
    for (const x of a.ignored) out.push(`  not counted: ${x.login}: ${x.explanation}`);
  }
  return out.join('\n');
}

export function approvalJson(a: ApprovalResult) {
  return {
    flow: a.flow.id,
    state: a.state,
    satisfied: a.state === 'approved',
    summary: a.summary,
    steps: a.steps.map((s) => ({
      role: s.role,
      status: s.status,
      approvedBy: s.approvals.map((x) => x.login),
      eligible: s.eligible,
      notes: s.notes,
    })),
    rejectedBy: a.rejections.map((r) => r.login),
    notCounted: a.ignored.map((x) => ({ login: x.login, reason: x.reason, explanation: x.explanation })),
  };
}
