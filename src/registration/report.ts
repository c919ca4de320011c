import type { MergeNote } from './merge';
import type { Registration, RegistrationSet } from './model';

/**
 * One line per registration, as `psarn register` and the deploy log show it.
 *
 * @example
 * registrationLine(reg) // '+ split arn:aws:lambda:…:function:signupV3 weight 10 on arn:aws:psarns:…:/event/newUser'
 */
export function registrationLine(reg: Registration): string {
  const how =
    reg.role === 'split' ? `split ${reg.target.arn} weight ${reg.weight ?? 1}` : `fanout ${reg.target.arn}`;
  return `+ ${how} on ${reg.psarn}${reg.create === undefined ? '' : ' (creates the route if missing)'}`;
}

/**
 * What a merge note means to the person reading a plan or a deploy log; every note is a
 * warning: the registration is stored but not (or not as written) in the route.
 *
 * @example
 * noteLine({ kind: 'dormant', registrant: 'signup/prod', psarn, arn })
 */
export function noteLine(note: MergeNote): string {
  const what = `${note.registrant} registration of ${note.arn} on ${note.psarn}`;
  switch (note.kind) {
    case 'dormant':
      return `warning: ${what} is dormant: no route defines the psARN (add it to routes/ again, or deregister ${note.registrant})`;
    case 'covered':
      return `note: ${what} is covered by the route file, which names the same target: the file's entry applies`;
    case 'conflict':
      return `warning: ${what} is left out: ${note.owner ?? 'another service'} registered the same target first`;
    case 'created':
      return `note: ${what} creates the route: no route file defines it`;
  }
}

/** The notes worth a line in a plan: every one but `created` (the plan shows the new route). */
export function planNotes(notes: readonly MergeNote[]): MergeNote[] {
  return notes.filter((n) => n.kind !== 'created');
}

/**
 * The registrations block `psarn plan` and `psarn apply` print under the plan: what each service
 * registered, layered over the route files, and any note on it. '' when nothing is registered.
 *
 * @example
 * renderRegistrations(sets, notes)
 * // Registrations layered over the route files (1 service):
 * //   signup/prod  + split arn:aws:lambda:…:function:signupV3 weight 10 on arn:aws:psarns:…:/event/newUser
 */
export function renderRegistrations(sets: readonly RegistrationSet[], notes: readonly MergeNote[]): string {
  if (sets.length === 0) return '';
  const lines = [
    `Registrations layered over the route files (${sets.length} service${sets.length === 1 ? '' : 's'}):`,
  ];
  for (const set of [...sets].sort((a, b) => (a.registrant < b.registrant ? -1 : 1))) {
    for (const reg of set.registrations) lines.push(`  ${set.registrant}  ${registrationLine(reg)}`);
  }
  for (const note of planNotes(notes)) lines.push(`  ${noteLine(note)}`);
  return `${lines.join('\n')}\n`;
}
