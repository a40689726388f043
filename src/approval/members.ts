// Who holds a role: its logins, and the members of its teams as far as they could be read.
import type { Role } from '../policy/types.js';
import type { TeamMembers } from './types.js';

/** Members of a role with teams expanded; unreadable teams add notes, not people. */
export function expandRole(
  role: Role | undefined,
  teams: ReadonlyMap<string, TeamMembers>,
): { people: Set<string>; notes: string[] } {
  const people = new Set<string>();
  const notes: string[] = [];
  for (const member of role?.members ?? []) {
    if (!member.includes('/')) {
      people.add(member.toLowerCase());
      continue;
    }
    const team = teams.get(member.toLowerCase());
    if (!team) notes.push(`team ${member} was not resolved`);
    else if ('error' in team) notes.push(team.error);
    else for (const login of team.members) people.add(login.toLowerCase());
  }
  return { people, notes };
}
