// Errors as each surface shows them: the CLI's compiler-style lines, the Action's failure
// message, and the PR comment and status that say a PR cannot be evaluated.
import { InputError } from '../errors.js';

/** The CLI's stderr: one `file:line:column: message` per diagnostic and a count, or one line. */
export function errorLines(error: unknown): string[] {
  if (error instanceof InputError && error.errors.length > 0) {
    const n = error.errors.length;
    return [...error.errors.map((e) => e.format()), `${n} error${n === 1 ? '' : 's'}`];
  }
  return [`sqlgate: ${error instanceof Error ? error.message : String(error)}`];
}

/** The Action step's failure: every diagnostic, or the error's message; never a stack trace alone. */
export function failureMessage(error: unknown): string {
  const message =
    error instanceof InputError && error.errors.length > 0
      ? error.errors.map((e) => e.format()).join('\n')
      : error instanceof Error
        ? error.message
        : String(error);
  return `sqlgate: ${message}`;
}

/** The first problem on one line, for a commit status description. */
export function errorHeadline(error: InputError): string {
  return (error.errors[0]?.format() ?? error.message).split('\n')[0] ?? '';
}

/** The PR comment when the PR cannot be evaluated at all: what to fix. */
export function errorComment(error: InputError): string {
  const lines =
    error.errors.length > 0 ? error.errors.map((e) => `- \`${e.format()}\``) : [`- ${error.message}`];
  return [
    '## sqlgate: ❌ cannot evaluate this pull request',
    '',
    'Fix these and push again; nothing can be approved until then:',
    '',
    ...lines,
    '',
  ].join('\n');
}
