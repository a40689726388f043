// Flags and arguments a user can get wrong: each gets one clear message and exit 2, before any
// database or git work.
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { TempRepo } from '../support/git-repo.js';

const repo = new TempRepo();
repo.commit('policies');
afterAll(() => repo.cleanup());

describe('bad command-line input', () => {
  it.each<[string, string[], string]>([
    [
      'an unknown plan format',
      ['plan', '--format', 'xml'],
      'sqlgate: --format must be one of text, json, markdown, not "xml"',
    ],
    [
      'reviews without the author',
      ['plan', '--reviews', 'r.json'],
      'sqlgate: --reviews needs --author LOGIN (the PR author, whose own approval never counts)',
    ],
    [
      'deploy without an environment',
      ['deploy'],
      'sqlgate: --env ID is required (an environment id from environments.yaml)',
    ],
    [
      'an unknown environment',
      ['deploy', '--env', 'staging'],
      'sqlgate: environment "staging" does not exist; known environments: test, prod',
    ],
    [
      'a database not in the environment',
      ['deploy', '--env', 'test', '--database', 'other_db'],
      'sqlgate: database "other_db" is not in environment test',
    ],
    [
      'a concurrency of zero',
      ['deploy', '--env', 'test', '--concurrency', '0'],
      'sqlgate: --concurrency must be a whole number ≥ 1, not "0"',
    ],
    [
      'a negative lock timeout',
      ['deploy', '--env', 'test', '--lock-timeout=-1'],
      'sqlgate: --lock-timeout must be a whole number ≥ 0, not "-1"',
    ],
    [
      'repair without its arguments',
      ['repair', '--env', 'prod', '--database', 'test_db'],
      'sqlgate: repair needs --env ID --database NAME --version V --mark applied|not-applied',
    ],
    [
      'repair with an unknown mark',
      ['repair', '--env', 'prod', '--database', 'test_db', '--version', '1.0.0', '--mark', 'maybe'],
      'sqlgate: repair needs --env ID --database NAME --version V --mark applied|not-applied',
    ],
    [
      'status of an unknown environment',
      ['status', '--env', 'qa'],
      'sqlgate: environment "qa" does not exist; known environments: test, prod',
    ],
  ])('%s', async (_name, argv, message) => {
    const run = await cli(argv, { cwd: repo.dir, env: { TEST_DB_URL: 'mysql://root:pw@127.0.0.1:1/' } });
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr.split('\n')[0]).toBe(message);
    expect(run.stderr).not.toContain('pw@');
  });

  it('reads reviews that are not a JSON list as bad input', async () => {
    repo.write({ 'r.json': '{"not": "a list"}' });
    const run = await cli(['plan', '--reviews', 'r.json', '--author', 'devon'], { cwd: repo.dir });
    expect(run).toMatchObject({ code: 2, stderr: 'sqlgate: r.json: expected a JSON list of reviews' });
  });
});
