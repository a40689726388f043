// The README's Action reference is generated from action.yml so the two cannot drift:
// `npm run docs` rewrites it, and test/docs.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

export const START = '<!-- action-reference:start (generated from action.yml by npm run docs) -->';
export const END = '<!-- action-reference:end -->';

interface ActionYaml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function actionReference(actionYml: string): string {
  const action = parse(actionYml) as ActionYaml;
  const lines = ['### Inputs', '', '| input | default | description |', '| --- | --- | --- |'];
  for (const [name, input] of Object.entries(action.inputs)) {
    lines.push(
      `| \`${name}\` | ${input.default ? `\`${cell(input.default)}\`` : '—'} | ${cell(input.description)} |`,
    );
  }
  lines.push('', '### Outputs', '', '| output | description |', '| --- | --- |');
  for (const [name, output] of Object.entries(action.outputs))
    lines.push(`| \`${name}\` | ${cell(output.description)} |`);
  return [START, ...lines, END].join('\n');
}

export function withReference(readme: string, reference: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error('README.md has no action-reference markers');
  return readme.slice(0, start) + reference + readme.slice(end + END.length);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const readme = readFileSync('README.md', 'utf8');
  writeFileSync('README.md', withReference(readme, actionReference(readFileSync('action.yml', 'utf8'))));
}
