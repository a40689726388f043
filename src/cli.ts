import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type CliIo, processIo } from './cli/io.js';
import { runPlan } from './cli/plan.js';
import { runValidate } from './cli/validate.js';
import { exitCodeOf, InputError } from './errors.js';

const USAGE = `usage: sqlgate <command> [options]

commands:
  validate [--policies DIR]          check the policy files (exit 0 ok, 2 errors)
  plan [--base REF] [--format text|json|markdown] [--estimate]
                                     risk and approval flow of the changes between the merge
                                     base of REF (default main) and HEAD, read with git

common options:
  --policies DIR   policy directory (default: policies)
  --migrations DIR migrations directory (default: migrations)
  -h, --help       this help

exit codes: 0 ok, 1 the policy says no or a deploy failed, 2 bad input`;

type Options = Record<string, string | boolean | undefined>;
interface Command {
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(io: CliIo, options: Options, positionals: string[]): Promise<number> | number;
}

const COMMON = {
  policies: { type: 'string', default: 'policies' },
  help: { type: 'boolean', short: 'h' },
} as const;

const PATHS = { ...COMMON, migrations: { type: 'string', default: 'migrations' } } as const;

const COMMANDS: Record<string, Command> = {
  plan: {
    options: {
      ...PATHS,
      base: { type: 'string', default: 'main' },
      format: { type: 'string', default: 'text' },
      estimate: { type: 'boolean', default: false },
    },
    run: (io, o) =>
      runPlan(io, {
        base: String(o.base),
        policies: String(o.policies),
        migrations: String(o.migrations),
        format: String(o.format),
        estimate: Boolean(o.estimate),
      }),
  },
  validate: {
    options: COMMON,
    run: (io, o) => runValidate(io, { policies: String(o.policies) }),
  },
};

export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`sqlgate: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
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
  if (error instanceof InputError && error.errors.length > 0) {
    for (const e of error.errors) io.err(e.format());
    io.err(`${error.errors.length} error${error.errors.length === 1 ? '' : 's'}`);
    return;
  }
  io.err(`sqlgate: ${error instanceof Error ? error.message : String(error)}`);
}
