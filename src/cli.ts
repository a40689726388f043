import { COMMON, type Command, ENV, PATHS, requireEnv, runCommand, str } from './cli/commands.js';
import { DEPLOY_COMMANDS } from './cli/deploy-commands.js';
import { runInit } from './cli/init.js';
import { type CliIo, processIo } from './cli/io.js';
import { runPlan } from './cli/plan.js';
import { runRehearse } from './cli/rehearse.js';
import { runRollback } from './cli/rollback.js';
import { runTest } from './cli/test.js';
import { runValidate } from './cli/validate.js';
import { runWhatIf } from './cli/whatif.js';

const COMMANDS: Record<string, Command> = {
  ...DEPLOY_COMMANDS,
  init: {
    options: {
      help: COMMON.help,
      dir: { type: 'string', default: '.' },
      database: { type: 'string' },
    },
    run: (io, o) =>
      runInit(io, {
        dir: String(o.dir),
        ...(str(o.database) !== undefined ? { database: str(o.database) as string } : {}),
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
  return runCommand(COMMANDS, argv, io);
}
