// A policy change in words, for the PR comment: reviewers approve what a change to the rules
// means ("rule 'DDL on Prod' level high → low"), not a YAML diff.
import type { ApprovalFlow, Condition, OnlineSchemaChangePolicy, Policy } from './types.js';

function describeCondition(c: Condition): string {
  switch (c.kind) {
    case 'facts':
      return Object.entries(c.facts)
        .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
        .join(' and ');
    case 'all':
      return c.of.map((x) => `(${describeCondition(x)})`).join(' and ');
    case 'any':
      return c.of.map((x) => `(${describeCondition(x)})`).join(' or ');
    case 'not':
      return `not (${describeCondition(c.of)})`;
  }
}

function flowSteps(f: ApprovalFlow): string {
  return f.steps.map((s) => (s.count > 1 ? `${s.role}×${s.count}` : s.role)).join(' → ');
}

function byKey<T>(items: readonly T[], key: (t: T) => string): Map<string, T> {
  return new Map(items.map((i) => [key(i), i]));
}

function describeOnline(o: OnlineSchemaChangePolicy): string {
  const options = [`chunks of ${o.chunkSize}`, `max load ${o.maxLoad}`, `critical load ${o.criticalLoad}`];
  if (o.foreignKeys) options.push(`foreign keys ${o.foreignKeys}`);
  return `${o.tool} when ${describeCondition(o.when)} (${options.join(', ')})`;
}

/** Routing ALTERs online (or no longer) changes how every big ALTER runs: reviewers see it. */
function onlineChange(
  id: string,
  before: OnlineSchemaChangePolicy | undefined,
  after: OnlineSchemaChangePolicy | undefined,
): string[] {
  const [was, now] = [before && describeOnline(before), after && describeOnline(after)];
  if (was === now) return [];
  if (!was) return [`environment '${id}' online schema change added: ${now}`];
  if (!now) return [`environment '${id}' online schema change removed (was ${was}); every ALTER runs inline`];
  return [`environment '${id}' online schema change ${was} → ${now}`];
}

export function describePolicyDiff(before: Policy, after: Policy): string[] {
  const lines: string[] = [];

  const rulesBefore = byKey(before.risk.rules, (r) => r.title);
  const rulesAfter = byKey(after.risk.rules, (r) => r.title);
  for (const [title, rule] of rulesBefore) {
    const next = rulesAfter.get(title);
    if (!next) {
      lines.push(`rule '${title}' (${rule.source}, ${rule.level}) removed`);
      continue;
    }
    if (next.level !== rule.level) lines.push(`rule '${title}' level ${rule.level} → ${next.level}`);
    if (next.source !== rule.source) lines.push(`rule '${title}' source ${rule.source} → ${next.source}`);
    const [was, now] = [describeCondition(rule.when), describeCondition(next.when)];
    if (was !== now) lines.push(`rule '${title}' condition ${was} → ${now}`);
  }
  for (const [title, rule] of rulesAfter) {
    if (!rulesBefore.has(title))
      lines.push(`rule '${title}' added: ${rule.source} ${rule.level} when ${describeCondition(rule.when)}`);
  }
  if (before.risk.unparsedLevel !== after.risk.unparsedLevel) {
    lines.push(`unparsable SQL level ${before.risk.unparsedLevel} → ${after.risk.unparsedLevel}`);
  }
  if (before.risk.preset !== after.risk.preset)
    lines.push(`preset rules ${before.risk.preset} → ${after.risk.preset}`);

  const rolesBefore = byKey(before.roles, (r) => r.id);
  for (const role of after.roles) {
    const old = rolesBefore.get(role.id);
    const was = old?.members ?? [];
    const added = role.members.filter((m) => !was.includes(m));
    const removed = was.filter((m) => !role.members.includes(m));
    if (!old) lines.push(`role '${role.id}' added with members: ${role.members.join(', ') || '(none)'}`);
    else {
      if (added.length > 0)
        lines.push(`role '${role.id}': member${added.length > 1 ? 's' : ''} ${added.join(', ')} added`);
      if (removed.length > 0)
        lines.push(`role '${role.id}': member${removed.length > 1 ? 's' : ''} ${removed.join(', ')} removed`);
    }
  }
  for (const role of before.roles)
    if (!after.roles.some((r) => r.id === role.id)) lines.push(`role '${role.id}' removed`);

  const flowsBefore = byKey(before.approval.flows, (f) => f.id);
  for (const flow of after.approval.flows) {
    const old = flowsBefore.get(flow.id);
    if (!old) lines.push(`flow '${flow.id}' added: ${flowSteps(flow)}`);
    else if (flowSteps(old) !== flowSteps(flow))
      lines.push(`flow '${flow.id}' steps ${flowSteps(old)} → ${flowSteps(flow)}`);
    else if (old.order !== flow.order) lines.push(`flow '${flow.id}' order ${old.order} → ${flow.order}`);
    if (old && old.allowSamePersonInSteps !== flow.allowSamePersonInSteps) {
      lines.push(
        `flow '${flow.id}' allowSamePersonInSteps ${old.allowSamePersonInSteps} → ${flow.allowSamePersonInSteps}`,
      );
    }
  }
  for (const flow of before.approval.flows)
    if (!after.approval.flows.some((f) => f.id === flow.id)) lines.push(`flow '${flow.id}' removed`);

  const key = (a: { source: string; level: string }) => `${a.source} × ${a.level}`;
  const assignBefore = byKey(before.approval.assignments, key);
  const assignAfter = byKey(after.approval.assignments, key);
  for (const [k, a] of assignBefore) {
    const next = assignAfter.get(k);
    if (!next) lines.push(`assignment ${k} → ${a.flow} removed (no approval needed)`);
    else if (next.flow !== a.flow) lines.push(`assignment ${k} flow ${a.flow} → ${next.flow}`);
  }
  for (const [k, a] of assignAfter) if (!assignBefore.has(k)) lines.push(`assignment ${k} → ${a.flow} added`);
  if (before.approval.staleApprovals !== after.approval.staleApprovals) {
    lines.push(`staleApprovals ${before.approval.staleApprovals} → ${after.approval.staleApprovals}`);
  }
  if (before.approval.policyChangeFlow.id !== after.approval.policyChangeFlow.id) {
    lines.push(
      `policy changes flow ${before.approval.policyChangeFlow.id} → ${after.approval.policyChangeFlow.id}`,
    );
  }

  const envBefore = byKey(before.environments, (e) => e.id);
  for (const env of after.environments) {
    const old = envBefore.get(env.id);
    if (!old) lines.push(`environment '${env.id}' added (${env.rollout})`);
    else if (old.rollout !== env.rollout)
      lines.push(`environment '${env.id}' rollout ${old.rollout} → ${env.rollout}`);
    else if (old.rollout === 'manual' && env.rollout === 'manual') {
      if (old.tag !== env.tag) lines.push(`environment '${env.id}' tag ${old.tag} → ${env.tag}`);
      if (old.rolloutRoles.join() !== env.rolloutRoles.join()) {
        lines.push(
          `environment '${env.id}' rollout roles ${old.rolloutRoles.join(', ')} → ${env.rolloutRoles.join(', ')}`,
        );
      }
    }
    if (old && old.verifyApprovals !== env.verifyApprovals)
      lines.push(`environment '${env.id}' verifyApprovals ${old.verifyApprovals} → ${env.verifyApprovals}`);
    if (old) lines.push(...onlineChange(env.id, old.onlineSchemaChange, env.onlineSchemaChange));
  }
  for (const env of before.environments)
    if (!after.environments.some((e) => e.id === env.id)) lines.push(`environment '${env.id}' removed`);
  const dbKey = (d: { name: string; environment: string }) => `${d.name}@${d.environment}`;
  const dbBefore = byKey(before.databases, dbKey);
  for (const db of after.databases) {
    if (!dbBefore.has(dbKey(db)))
      lines.push(
        `database '${db.name}' added to ${db.environment}${db.create ? ' (created on deploy)' : ''}`,
      );
  }
  for (const db of before.databases) {
    if (!after.databases.some((d) => dbKey(d) === dbKey(db)))
      lines.push(`database '${db.name}' removed from ${db.environment}`);
  }
  return lines;
}
