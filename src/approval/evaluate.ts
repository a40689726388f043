// Ordered approvals from GitHub reviews: a pure function from the flow, who holds which role, the
// PR's reviews and content fingerprints to the state of the flow and of every step — and, for
// every approval that did not count, the reason why.
import { assignAnyOrder } from './assign-any-order.js';
import { assignStrict } from './assign-strict.js';
import { expandRole } from './members.js';
import { standingRejections } from './rejections.js';
import { approvalResult } from './result.js';
import { contributorsByLogin, standingApprovals } from './standing.js';
import type { ApprovalInput, ApprovalResult, IgnoredApproval } from './types.js';

export function evaluateApprovals(input: ApprovalInput): ApprovalResult {
  const { flow } = input;
  const roleById = new Map(input.roles.map((r) => [r.id, r]));
  const expanded = flow.steps.map((step) => expandRole(roleById.get(step.role), input.teams));
  const members = expanded.map((e) => e.people);
  const ignored: IgnoredApproval[] = [];
  const approvals = standingApprovals(input, ignored);
  const assign = flow.order === 'strict' ? assignStrict : assignAnyOrder;
  const assignment = assign({
    approvals,
    members,
    counts: flow.steps.map((s) => s.count),
    samePerson: flow.allowSamePersonInSteps,
  });
  const author = input.author.toLowerCase();
  return approvalResult({
    flow,
    author,
    contributors: new Set([...contributorsByLogin(input.contributors).keys()].filter((p) => p !== author)),
    roleTitles: flow.steps.map((s) => roleById.get(s.role)?.title ?? s.role),
    members,
    memberNotes: expanded.map((e) => e.notes),
    approvals,
    assignment,
    ignored,
    rejections: flow.blockOnChangesRequested ? standingRejections(input.reviews, members, author) : [],
  });
}
