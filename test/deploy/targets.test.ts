// Database targets, resolved once at the edge from the variables environments.yaml names.
import { describe, expect, it } from 'vitest';
import { targetsFromEnv } from '../../src/db/targets.js';
import { InputError } from '../../src/errors.js';
import type { Database } from '../../src/policy/types.js';

const db = (name: string, urlEnv: string): Database =>
  ({ name, environment: 'prod', urlEnv, migrations: name }) as Database;

describe('database targets', () => {
  const targets = targetsFromEnv({
    PROD_DB_URL: 'mysql://deployer:S3cret%40pw@db.internal:3307/',
    BAD_URL: 'postgres://x:y@h/',
  });

  it('a database whose variable is set resolves to its host, port, user and decoded password', () => {
    expect(targets.has(db('test_db', 'PROD_DB_URL'))).toBe(true);
    expect(targets.of(db('test_db', 'PROD_DB_URL'))).toEqual({
      host: 'db.internal',
      port: 3307,
      user: 'deployer',
      password: 'S3cret@pw',
      masked: 'mysql://deployer:***@db.internal:3307/',
    });
  });

  it('databases sharing a variable share one parsed target', () => {
    expect(targets.of(db('tenant_1', 'PROD_DB_URL'))).toBe(targets.of(db('tenant_2', 'PROD_DB_URL')));
  });

  it('a variable that is not set names the database, its environment and the variable', () => {
    expect(targets.has(db('audit', 'AUDIT_DB_URL'))).toBe(false);
    expect(() => targets.of(db('audit', 'AUDIT_DB_URL'))).toThrow(
      new InputError(
        'database audit in prod: environment variable AUDIT_DB_URL is not set (set it to mysql://user:password@host:3306/, in a workflow from a secret)',
      ),
    );
  });

  it('a URL that is not MySQL is bad input naming the variable', () => {
    expect(() => targets.of(db('x', 'BAD_URL'))).toThrow('BAD_URL must be a mysql:// or mariadb:// URL');
  });
});
