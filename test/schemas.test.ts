import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './policy/seed-texts.js';

type Json = Record<string, unknown>;
const schemaFiles = readdirSync(`${REPO_ROOT}schemas`).filter((f) => f.endsWith('.schema.json'));

/** Every named property, wherever it is declared, with its path for the failure message. */
function properties(node: unknown, path: string, out: [string, Json][] = []): [string, Json][] {
  if (!node || typeof node !== 'object') return out;
  const obj = node as Json;
  if (obj.properties && typeof obj.properties === 'object') {
    for (const [k, v] of Object.entries(obj.properties as Json)) out.push([`${path}.${k}`, v as Json]);
  }
  for (const [k, v] of Object.entries(obj)) properties(v, `${path}/${k}`, out);
  return out;
}

describe('JSON Schemas', () => {
  it.each(schemaFiles)(
    '%s gives every property a title and a description, and closes every object',
    (file) => {
      const schema = JSON.parse(readFileSync(`${REPO_ROOT}schemas/${file}`, 'utf8')) as Json;
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      const untitled = properties(schema, file)
        .filter(([, p]) => !(p.title && p.description))
        .map(([path]) => path);
      expect(untitled).toEqual([]);
      const open: string[] = [];
      const walk = (n: unknown, path: string) => {
        if (!n || typeof n !== 'object') return;
        const o = n as Json;
        if (o.properties && o.additionalProperties !== false) open.push(path);
        for (const [k, v] of Object.entries(o)) walk(v, `${path}/${k}`);
      };
      walk(schema, file);
      expect(open).toEqual([]);
    },
  );

  it.each(readdirSync(`${REPO_ROOT}policies`).filter((f) => f.endsWith('.yaml')))(
    'policies/%s points editors at its schema',
    (file) => {
      const first = readFileSync(`${REPO_ROOT}policies/${file}`, 'utf8').split('\n')[0];
      expect(first).toBe(
        `# yaml-language-server: $schema=../schemas/${file.replace('.yaml', '.schema.json')}`,
      );
    },
  );

  it.each(readdirSync(`${REPO_ROOT}policies/tests`).filter((f) => f.endsWith('.yaml')))(
    'policies/tests/%s points editors at the policy-tests schema',
    (file) => {
      const first = readFileSync(`${REPO_ROOT}policies/tests/${file}`, 'utf8').split('\n')[0];
      expect(first).toBe('# yaml-language-server: $schema=../../schemas/policy-tests.schema.json');
    },
  );
});
