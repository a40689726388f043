import { type ParseArgsConfig, parseArgs } from 'node:util';
import { runDeploy, runRepair, runStatus } from './cli/deploy.js';
import { type CliIo, processIo } from './cli/io.js';
import { runPlan } from './cli/plan.js';
import { runRehearse } from './cli/rehearse.js';
import { runRollback } from './cli/rollback.js';
import { runTest } from './cli/test.js';
import { runValidate } from './cli/validate.js';
import { runWhatIf } from './cli/whatif.js';
import { exitCodeOf, InputError } from './errors.js';

const USAGE = `usage: sqlgate <command> [options]

commands:
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

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
const ENV = { env: { type: 'string' }, database: { type: 'string' } } as const;

function requireEnv(o: Options): string {
  const env = str(o.env);
  if (!env) throw new InputError('--env ID is required (an environment id from environments.yaml)');
  return env;
}

const COMMANDS: Record<string, Command> = {
  deploy: {
    options: {
      ...PATHS,
      ...ENV,
      'dry-run': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '4' },
      shard: { type: 'string' },
      'lock-timeout': { type: 'string', default: '30' },
    },
    run: (io, o) =>
      runDeploy(io, {
        policies: String(o.policies),
        migrations: String(o.migrations),
        env: requireEnv(o),
        ...(str(o.database) !== undefined ? { database: str(o.database) as string } : {}),
        dryRun: Boolean(o['dry-run']),
        concurrency: String(o.concurrency),
        ...(str(o.shard) !== undefined ? { shard: str(o.shard) as string } : {}),
        lockTimeout: String(o['lock-timeout']),
      }),
  },
  status: {
    options: { ...COMMON, ...ENV },
    run: (io, o) =>
      runStatus(io, {
        policies: String(o.policies),
        env: requireEnv(o),
        ...(str(o.database) !== undefined ? { database: str(o.database) as string } : {}),
      }),
  },
  repair: {
    options: { ...PATHS, ...ENV, version: { type: 'string' }, mark: { type: 'string' } },
    run: (io, o) =>
      runRepair(io, {
        policies: String(o.policies),
        migrations: String(o.migrations),
        env: requireEnv(o),
        ...(str(o.database) !== undefined ? { database: str(o.database) as string } : {}),
        ...(str(o.version) !== undefined ? { version: str(o.version) as string } : {}),
        ...(str(o.mark) !== undefined ? { mark: str(o.mark) as string } : {}),
      }),
  },
  plan: {
    options: {
      ...PATHS,
      base: { type: 'string', default: 'main' },
      format: { type: 'string', default: 'text' },
      estimate: { type: 'boolean', default: false },
      reviews: { type: 'string' },
      author: { type: 'string' },
    },
    run: (io, o) =>
      runPlan(io, {
        base: String(o.base),
        policies: String(o.policies),
        migrations: String(o.migrations),
        format: String(o.format),
        estimate: Boolean(o.estimate),
        ...(str(o.reviews) !== undefined ? { reviews: str(o.reviews) as string } : {}),
        ...(str(o.author) !== undefined ? { author: str(o.author) as string } : {}),
      }),
  },
  rollback: {
    options: { ...PATHS, ...ENV, to: { type: 'string' }, 'lock-timeout': { type: 'string', default: '30' } },
    run: (io, o) =>
      runRollback(io, {
        policies: String(o.policies),
        migrations: String(o.migrations),
        env: requireEnv(o),
        ...(str(o.database) !== undefined ? { database: str(o.database) as string } : {}),
        ...(str(o.to) !== undefined ? { to: str(o.to) as string } : {}),
        lockTimeout: String(o['lock-timeout']),
      }),
  },
  rehearse: {
    options: {
      ...PATHS,
      base: { type: 'string', default: 'main' },
      url: { type: 'string' },
      format: { type: 'string', default: 'text' },
      keep: { type: 'boolean', default: false },
    },
    run: (io, o) =>
      runRehearse(io, {
        base: String(o.base),
        policies: String(o.policies),
        migrations: String(o.migrations),
        ...(str(o.url) !== undefined ? { url: str(o.url) as string } : {}),
        format: String(o.format),
        keep: Boolean(o.keep),
      }),
  },
  validate: {
    options: { ...PATHS, strict: { type: 'boolean', default: false } },
    run: (io, o) =>
      runValidate(io, {
        policies: String(o.policies),
        migrations: String(o.migrations),
        strict: Boolean(o.strict),
      }),
  },
  test: {
    options: { ...PATHS, format: { type: 'string', default: 'text' } },
    run: (io, o, files) =>
      runTest(io, {
        policies: String(o.policies),
        migrations: String(o.migrations),
        format: String(o.format),
        files,
      }),
  },
  whatif: {
    options: {
      ...PATHS,
      base: { type: 'string', default: 'main' },
      'policies-ref': { type: 'string' },
      format: { type: 'string', default: 'text' },
      limit: { type: 'string' },
      'past-reviews': { type: 'boolean', default: false },
      repo: { type: 'string' },
    },
    run: (io, o) =>
      runWhatIf(io, {
        base: String(o.base),
        policies: String(o.policies),
        ...(str(o['policies-ref']) !== undefined ? { policiesRef: str(o['policies-ref']) as string } : {}),
        migrations: String(o.migrations),
        format: String(o.format),
        ...(str(o.limit) !== undefined ? { limit: str(o.limit) as string } : {}),
        pastReviews: Boolean(o['past-reviews']),
        ...(str(o.repo) !== undefined ? { repo: str(o.repo) as string } : {}),
      }),
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
