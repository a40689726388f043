// The deploy, status and repair commands: everything the lean deploy entry needs.
import type { Command } from './commands.js';
import { COMMON, ENV, PATHS, requireEnv, str } from './commands.js';
import { runDeploy, runRepair, runStatus } from './deploy.js';

export const DEPLOY_COMMANDS: Record<string, Command> = {
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
};
