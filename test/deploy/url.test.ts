// Database URLs carry passwords: parsed strictly, masked exactly, never by blind substring.
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/db/connect.js';
import { maskUrl, parseDatabaseUrl, urlSecrets } from '../../src/db/url.js';

function inputError(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('database URLs', () => {
  it('refuses a raw @ in the password, says how to percent-encode it, and never prints the password', () => {
    const message = inputError(() => parseDatabaseUrl('TEST_DB_URL', 'mysql://sg:Pw@s3cretX@127.0.0.1/'));
    expect(message).toBe(
      'TEST_DB_URL has a raw @ in its user name or password: percent-encode special characters in the user name and password (@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25; encodeURIComponent does this) (got mysql://sg:***@127.0.0.1/)',
    );
    expect(message).not.toMatch(/s3cret|Pw/);
  });

  it('masks the whole password up to the host, even with a raw @ in it', () => {
    expect(maskUrl('mysql://sg:Pw@s3cretX@127.0.0.1:3306/')).toBe('mysql://sg:***@127.0.0.1:3306/');
    expect(maskUrl('mysql://root@h/')).toBe('mysql://root@h/');
  });

  it('refuses a raw / in the password instead of connecting to the wrong host', () => {
    expect(inputError(() => parseDatabaseUrl('U', 'mysql://sg:pa/ss@db.internal/'))).toMatch(
      /^U has a raw \/ \? or # in its user name or password: percent-encode/,
    );
  });

  it('reads a percent-encoded password', () => {
    const t = parseDatabaseUrl('U', 'mysql://sg:Pw%40s3cret%2Fx@db.internal:3307/');
    expect({ host: t.host, port: t.port, user: t.user, password: t.password, masked: t.masked }).toEqual({
      host: 'db.internal',
      port: 3307,
      user: 'sg',
      password: 'Pw@s3cret/x',
      masked: 'mysql://sg:***@db.internal:3307/',
    });
  });

  it('names a malformed percent-encoding', () => {
    expect(inputError(() => parseDatabaseUrl('U', 'mysql://sg:100%@db/'))).toMatch(
      /^U has a malformed password \(a % not followed by two hex digits\)/,
    );
  });

  it('masks a short password only where it stands as a token, never inside words', () => {
    const t = parseDatabaseUrl('U', 'mysql://sg:e@db/');
    expect(redact("Access denied for user 'sg'@'db' (using password: YES)", t)).toBe(
      "Access denied for user 'sg'@'db' (using password: YES)",
    );
    expect(redact('bad password e given', t)).toBe('bad password *** given');
    const long = parseDatabaseUrl('U', 'mysql://sg:S3cret%2Fpw@db/');
    expect(redact('tried S3cret/pw and S3cret%2Fpw', long)).toBe('tried *** and ***');
  });

  it('gives the runner the password as written and decoded, but not one short enough to star ordinary words', () => {
    expect(urlSecrets('mysql://sg:S3cret%2Fpw@db/')).toEqual(['S3cret%2Fpw', 'S3cret/pw']);
    expect(urlSecrets('mysql://sg:e@db/')).toEqual([]);
    expect(urlSecrets('mysql://sg@db/')).toEqual([]);
  });
});
