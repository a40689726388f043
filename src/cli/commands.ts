// Command-line dispatch shared by the full CLI and the lean deploy entry: parse the options of
// one command, run it, and turn errors into messages and exit codes.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { exitCodeOf, InputError } from '../errors.js';
import { errorLines } from '../report/errors.js';
import type { CliIo } from './io.js';

export const USAGE = `usage: sqlgate <command> [options]

commands:
  init [--dir DIR] [--database NAME]
                                     start a repository: the starter policies (and their tests),
                                     the workflows and migrations/NAME/; never overwrites a file
  validate [--policies DIR] [--strict]
                                     check the policy files (exit 0 ok, 2 errors); warn about
                                     rules and flows no policy test exercises (--strict: errors)
  plan [--base REF] [--format text|json|markdown] [--estimate] [--reviews FILE --author LOGIN]
                                     risk and approval flow of the changes between the merge
                                     base of REF (default main) and HEAD, read with git; with
                                     --reviews, the approval state from GitHub's review list

  test [--format text|json] [FILES...]
                                     run the policy tests (default: <policies>/tests/*.yaml);
                                     exit 0 all passed, 1 a case failed, 2 bad test file
  whatif [--base REF] [--policies DIR | --policies-ref REF] [--format text|json|markdown]
         [--limit N] [--past-reviews [--repo OWNER/NAME]]
                                     replay every migration landed on REF (default main) under
                                     its policies and the proposed ones; list what changes
  deploy --env ID [--dry-run] [--database NAME] [--concurrency N] [--shard i/n] [--lock-timeout S]
                                     apply pending migrations to the environment's databases
  status --env ID [--database NAME]  the migration history of each database
  rollback --env ID --to VERSION [--database NAME] [--lock-timeout S]
                                     run the down files of every version above VERSION, newest
                                     first, and record them rolled-back in the history
  rehearse [--base REF] [--url URL] [--format text|json] [--keep]
                                     apply the base's migrations then the PR's (and their down
                                     files, up → down → up) on throwaway schemas, with the deploy
                                     engine; without --url on a throwaway mariadbd
  repair --env ID --database NAME --version V --mark applied|not-applied
                                     record what happened to an in-doubt statement

common options:
  --policies DIR   policy directory (default: policies)
  --migrations DIR migrations directory (default: migrations)
  -h, --help       this help
  -v, --version    the installed version

exit codes: 0 ok, 1 the policy says no or a deploy failed, 2 bad input`;

export type Options = Record<string, string | boolean | undefined>;
export interface Command {
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(io: CliIo, options: Options, positionals: string[]): Promise<number> | number;
}

export const COMMON = {
  policies: { type: 'string', default: 'policies' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const PATHS = { ...COMMON, migrations: { type: 'string', default: 'migrations' } } as const;

export const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
export const ENV = { env: { type: 'string' }, database: { type: 'string' } } as const;

export function requireEnv(o: Options): string {
  const env = str(o.env);
  if (!env) throw new InputError('--env ID is required (an environment id from environments.yaml)');
  return env;
}

export async function runCommand(
  commands: Readonly<Record<string, Command>>,
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    io.err(`sqlgate: unknown command "${name}"; commands: ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  try {
    let parsed: { values: Options; positionals: string[] };
    try {
      parsed = parseArgs({
        args: [...rest],
        options: command.options,
        allowPositionals: true,
        strict: true,
      }) as typeof parsed;
    } catch (error) {
      throw new InputError(`${(error as Error).message}\n${USAGE}`);
    }
    if (parsed.values.help) {
      io.out(USAGE);
      return 0;
    }
    return await command.run(io, parsed.values, parsed.positionals);
  } catch (error) {
    reportError(io, error);
    return exitCodeOf(error);
  }
}

function reportError(io: CliIo, error: unknown): void {
  for (const line of errorLines(error)) io.err(line);
}
