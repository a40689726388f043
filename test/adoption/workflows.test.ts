// Issue 11 items 6, 7, 9 and 10: the example workflows a user copies work with the starter
// policies, are hygienic, and the README says what each one needs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../policy/seed-texts.js';

const DIR = join(REPO_ROOT, 'examples/workflows');
const list = (dir: string) => readdirSync(join(DIR, dir)).filter((f) => f.endsWith('.yml'));
const DEFAULT = list('.');
const OPTIONAL = existsSync(join(DIR, 'optional')) ? list('optional').map((f) => `optional/${f}`) : [];
const ALL = [...DEFAULT, ...OPTIONAL];

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string | number>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  environment?: string;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}
const workflow = (file: string) => parse(readFileSync(join(DIR, file), 'utf8')) as Workflow;
const steps = (file: string) => Object.values(workflow(file).jobs).flatMap((j) => j.steps);
const sqlgateSteps = (file: string) => steps(file).filter((s) => s.uses?.includes('/sqlgate@'));
const starter = parse(readFileSync(join(REPO_ROOT, 'policies/environments.yaml'), 'utf8')) as {
  environments: { id: string; order: number }[];
  databases: { environment: string; urlEnv: string }[];
};
const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

describe('copying examples/workflows/ as the Quick start says (item 6)', () => {
  it('brings only workflows that work with the starter policies: every environment and URL variable they name exists there', () => {
    const ids = starter.environments.map((e) => e.id);
    const urls = starter.databases.map((d) => d.urlEnv);
    for (const file of DEFAULT) {
      for (const step of sqlgateSteps(file)) {
        if (step.with?.environment) expect(ids, file).toContain(step.with.environment);
        for (const name of Object.keys(step.env ?? {})) expect(urls, `${file} env ${name}`).toContain(name);
      }
    }
  });

  it('keeps the fleet deploy in optional/, saying when to use it', () => {
    expect(DEFAULT).not.toContain('sqlgate-fleet-matrix.yml');
    expect(OPTIONAL).toContain('optional/sqlgate-fleet-matrix.yml');
    expect(readFileSync(join(DIR, 'optional/sqlgate-fleet-matrix.yml'), 'utf8')).toMatch(
      /^# Optional: only for/,
    );
    expect(readme).toContain('examples/workflows/optional/');
  });
});

describe('workflow hygiene (item 10)', () => {
  it('checks out with actions/checkout@v5 (v4 runs on Node 20, which runners dropped)', () => {
    for (const file of ALL) {
      const checkouts = steps(file).filter((s) => s.uses?.startsWith('actions/checkout@'));
      expect(checkouts.length, file).toBeGreaterThan(0);
      for (const s of checkouts) expect(s.uses, file).toMatch(/^actions\/checkout@(v5|[0-9a-f]{40})$/);
    }
  });

  it('runs one deploy or rollout at a time and never cancels one half-way', () => {
    for (const file of ALL.filter((f) => workflow(f).on.push)) {
      expect(workflow(file).concurrency, file).toMatchObject({ 'cancel-in-progress': false });
    }
    expect(workflow('sqlgate-rollout-prod.yml').concurrency?.group).toBe('sqlgate-rollout-prod');
    expect(workflow('optional/sqlgate-fleet-matrix.yml').concurrency?.group).toBe('sqlgate-fleet-deploy');
  });

  it('names the Action with the <owner> placeholder the README explains', () => {
    for (const file of ALL)
      for (const step of sqlgateSteps(file)) expect(step.uses, file).toBe('<owner>/sqlgate@v0');
    expect(readme).toContain('Replace `<owner>` with the GitHub account or');
  });

  it('the README has a row for every workflow: its permissions, secrets and environment', () => {
    const table = readme.slice(readme.indexOf('| workflow | runs on |'));
    for (const file of ALL) {
      const row = table.split('\n').find((l) => l.startsWith(`| [\`${file}\``));
      expect(row, `README row for ${file}`).toBeDefined();
      for (const [scope, access] of Object.entries(workflow(file).permissions ?? {}))
        expect(row, file).toContain(`${scope}: ${access}`);
      for (const job of Object.values(workflow(file).jobs))
        if (job.environment) expect(row, file).toContain(`\`${job.environment}\``);
    }
  });
});

describe('where each secret lives (item 7)', () => {
  it('the Prod rollout job gets the URL of every earlier environment, to check they have each migration', () => {
    const prod = starter.environments.find((e) => e.id === 'prod');
    const earlier = starter.environments.filter((e) => prod && e.order < prod.order).map((e) => e.id);
    const needed = starter.databases.filter((d) => earlier.includes(d.environment)).map((d) => d.urlEnv);
    const env = Object.assign({}, ...sqlgateSteps('sqlgate-rollout-prod.yml').map((s) => s.env ?? {}));
    for (const name of needed) expect(Object.keys(env)).toContain(name);
    expect(readme.replace(/\s+/g, ' ')).toContain(
      '`TEST_DB_URL` must be a secret of the `test` **and** `prod` environments',
    );
  });
});

describe('pull requests from forks (item 9)', () => {
  const file = 'optional/sqlgate-check-fork.yml';
  it('has a README section that the fork error message points to', () => {
    expect(readme).toMatch(/^## Forks$/m);
    const source = readFileSync(join(REPO_ROOT, 'src/check/check.ts'), 'utf8');
    expect(source).toContain('README.md#forks');
  });

  it('offers a pull_request_target variant that only reads the PR: base checkout, head fetched as data, no rehearsal', () => {
    const fork = workflow(file);
    expect(Object.keys(fork.on)).toEqual(['pull_request_target']);
    expect(Object.values(fork.jobs)[0]?.if).toBe(
      'github.event.pull_request.head.repo.full_name != github.repository',
    );
    const all = steps(file);
    const checkout = all.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.ref).toBeUndefined();
    // The only command is a fetch of the PR's ref: nothing from the PR is checked out or run.
    const runs = all.filter((s) => s.run).map((s) => s.run?.trim());
    expect(runs).toEqual([
      'git fetch --no-tags origin "+refs/pull/${PR_NUMBER}/head:refs/remotes/pull/${PR_NUMBER}/head"',
    ]);
    expect(sqlgateSteps(file)[0]?.with?.rehearsal).toBe('off');
    expect(readme).toContain(`[\`${file}\`](examples/workflows/${file})`);
  });
});
