// Cancelling a workflow run while the Action deploys: the runner signals the step's process
// (SIGINT, then SIGTERM), and the Action must do what the CLI does — stop the running statement
// on the server, record it, release the lock and fail the step saying so — never exit and leave
// the statement running behind a released lock.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStep } from '../support/action-runner.js';
import { cli } from '../support/cli.js';
import { waitForQuery } from '../support/deploy-workdir.js';
import { pushEvent } from '../support/events.js';
import { TempRepo } from '../support/git-repo.js';
import { FakeGitHub } from '../support/github-server.js';
import { MariaDbServer } from '../support/mariadb.js';

let server: MariaDbServer;
let github: FakeGitHub;
let api: string;

beforeAll(async () => {
  server = await MariaDbServer.start();
  github = new FakeGitHub();
  api = await github.start();
}, 60_000);
afterAll(async () => {
  await github?.stop();
  await server?.stop();
});

const ENVIRONMENTS = `environments:
  - {id: test, title: Test, order: 1, rollout: automatic, verifyApprovals: false}
  - {id: prod, title: Prod, order: 2, rollout: manual, tag: "prod/*", rolloutRoles: [dba]}
databases:
  - {name: cancel_db, environment: test, urlEnv: TEST_DB_URL}
`;

describe('the Action on a cancelled run', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s stops the running statement on the server, records it as not applied, releases the lock and fails the step saying so',
    async (signal) => {
      await server.query('DROP DATABASE IF EXISTS cancel_db');
      await server.query('CREATE DATABASE cancel_db');
      const env = { TEST_DB_URL: server.url };
      const repo = new TempRepo();
      try {
        repo.write({
          'policies/environments.yaml': ENVIRONMENTS,
          'migrations/cancel_db/V1__create.sql':
            'CREATE TABLE t (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;\nINSERT INTO t VALUES (1, 0);\n',
        });
        repo.commit('adopt');
        expect((await cli(['deploy', '--env', 'test'], { cwd: repo.dir, env })).code).toBe(0);
        const before = repo.git('rev-parse', 'HEAD');
        repo.write({ 'migrations/cancel_db/V2__bump.sql': 'UPDATE t SET n = n + 1 WHERE id = 1;\n' });
        const after = repo.commit('bump');

        // Another session holds the row, so the deploy's UPDATE waits on it until the cancel.
        const holder = await server.connection('cancel_db');
        await holder.query('START TRANSACTION');
        await holder.query('UPDATE t SET n = n WHERE id = 1');
        let child: ChildProcess | undefined;
        const step = runStep({
          eventName: 'push',
          payload: pushEvent('refs/heads/main', before, after, 'alice'),
          workspace: repo.dir,
          apiUrl: api,
          sha: after,
          env,
          onStart: (c) => {
            child = c;
          },
        });
        await waitForQuery(server, 'UPDATE t SET n = n + 1%');
        child?.kill(signal);
        const result = await step;
        expect(result.code).toBe(1);
        expect(result.stdout).toContain(
          `::warning::sqlgate: ${signal} received: stopping the running statement`,
        );
        expect(result.stdout).toContain(
          `cancelled (${signal}) during statement 1 of migrations/cancel_db/V2__bump.sql (line 1): it was stopped on the server and its transaction rolled back, so it is recorded as not applied; the next deploy runs it again`,
        );
        expect(result.outputs.deployed).toBe('[]');
        // Nothing of it is left running, and releasing the row does not let it land later.
        expect(
          await server.query(
            `SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE t SET n = n + 1%'`,
          ),
        ).toEqual([]);
        await holder.query('COMMIT');
        await holder.end();
        expect(await server.query('SELECT n FROM cancel_db.t')).toEqual([{ n: 0 }]);
        expect(
          await server.query(
            'SELECT version, status, statements_applied FROM cancel_db.sqlgate_history ORDER BY id',
          ),
        ).toEqual([
          { version: 'V1', status: 'success', statements_applied: 2 },
          { version: 'V2', status: 'failed', statements_applied: 0 },
        ]);
        // The lock was released: the next deploy runs the statement once.
        const next = await cli(['deploy', '--env', 'test'], { cwd: repo.dir, env });
        expect(next.code).toBe(0);
        expect(await server.query('SELECT n FROM cancel_db.t')).toEqual([{ n: 1 }]);
      } finally {
        repo.cleanup();
      }
    },
    120_000,
  );
});
