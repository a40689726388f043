// The layers of src/ and which way imports run (README.md#architecture). A decision in the core
// must be testable without a server, a token or a disk, so the core imports no adapter; the
// surfaces (Action, CLI) are the only places that know about each other's inputs.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './policy/seed-texts.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

interface Edge {
  /** The importing file, relative to src/ (`risk/evaluate.ts`). */
  readonly from: string;
  /** The imported module: a path relative to src/ (`policy/types.ts`), or a package (`node:fs`). */
  readonly to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// `import … from '…'`, `import '…'`, `export … from '…'`, `import('…')`; type-only imports count:
// a core type that names an adapter's type couples the two just the same.
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

const edges: Edge[] = sourceFiles(SRC).flatMap((file) => {
  const text = readFileSync(file, 'utf8');
  const from = relative(SRC, file);
  return [...text.matchAll(SPECIFIER)].map((m) => {
    const spec = (m[1] ?? m[2] ?? m[3]) as string;
    const to = spec.startsWith('.')
      ? relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts')
      : spec;
    return { from, to };
  });
});

/** The top-level folder (`risk`) or root file (`errors.ts`) of a path under src/; a package as is. */
const layerOf = (path: string) => (path.includes('/') && !path.startsWith('..') ? path.split('/')[0] : path);
const inSrc = (to: string) => !to.startsWith('..') && to.endsWith('.ts');
/** The JSON Schemas beside src/: data the policy loader validates against. */
const isSchema = (to: string) => to.startsWith('../schemas/');

function violations(fromLayers: readonly string[], allowed: (edge: Edge) => boolean): string[] {
  return edges
    .filter((e) => fromLayers.includes(layerOf(e.from) as string))
    .filter((e) => !allowed(e))
    .map((e) => `${e.from} imports ${e.to}`);
}

const ADAPTERS = [
  'db',
  'git',
  'github',
  'files',
  'parser',
  'action',
  'cli',
  'action.ts',
  'cli.ts',
  'deploy-cli.ts',
];
// Libraries that only compute: parsing YAML, checking a schema, matching a glob.
const PURE_PACKAGES = ['yaml', 'ajv/dist/2020.js', 'picomatch'];

describe('import direction', () => {
  it('scans the source tree', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges).toContainEqual({ from: 'risk/evaluate.ts', to: 'policy/types.ts' });
  });

  // Lowest first: each core folder may import only the ones before it (and errors.ts).
  const CORE = ['sql', 'policy', 'risk', 'approval'] as const;
  const MAY_IMPORT: Record<(typeof CORE)[number], readonly string[]> = {
    sql: ['sql'],
    policy: ['policy', 'sql'],
    risk: ['risk', 'policy', 'sql'],
    approval: ['approval', 'policy', 'sql'],
  };
  for (const layer of CORE) {
    it(`${layer}/ imports only ${MAY_IMPORT[layer].join(', ')}, errors.ts and pure libraries: no adapter, no node:, no I/O`, () => {
      expect(
        violations([layer], ({ to }) =>
          inSrc(to)
            ? MAY_IMPORT[layer].includes(layerOf(to) as string) || to === 'errors.ts'
            : isSchema(to) || PURE_PACKAGES.includes(to),
        ),
      ).toEqual([]);
    });
  }

  it('adapters (db, git, github, files, parser) import only the core and errors.ts from src/', () => {
    const core = ['sql', 'policy', 'risk', 'approval', 'errors.ts'];
    expect(
      violations(['db', 'git', 'github', 'files', 'parser'], ({ from, to }) =>
        inSrc(to) ? core.includes(layerOf(to) as string) || layerOf(to) === layerOf(from) : true,
      ),
    ).toEqual([]);
  });

  it('report/ renders results: it imports no adapter and no I/O package', () => {
    expect(
      violations(['report'], ({ to }) => (inSrc(to) ? !ADAPTERS.includes(layerOf(to) as string) : false)),
    ).toEqual([]);
  });

  it('github/ owns what it writes: it does not import report/', () => {
    expect(violations(['github'], ({ to }) => layerOf(to) !== 'report')).toEqual([]);
  });

  it('db/ reads databases for the plan without importing plan/', () => {
    expect(violations(['db'], ({ to }) => layerOf(to) !== 'plan')).toEqual([]);
  });

  it('only the entries import the Action and the CLI, and neither imports the other', () => {
    const entries = ['action.ts', 'cli.ts', 'deploy-cli.ts'];
    const into = (layer: string) =>
      edges
        .filter((e) => layerOf(e.to) === layer && layerOf(e.from) !== layer && !entries.includes(e.from))
        .map((e) => `${e.from} imports ${e.to}`);
    expect(into('action')).toEqual([]);
    expect(into('cli')).toEqual([]);
  });

  it('no module imports itself back through others: src/ has no import cycle', () => {
    const graph = new Map<string, string[]>();
    for (const e of edges) if (inSrc(e.to)) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('only the Action talks to the runner (@actions/core)', () => {
    const runner = edges.filter(
      (e) => e.to === '@actions/core' && !['action', 'action.ts'].includes(layerOf(e.from) as string),
    );
    expect(runner.map((e) => `${e.from} imports ${e.to}`)).toEqual([]);
  });
});

it("the README's architecture section names every folder and root module of src/", () => {
  const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
  const section = /## Architecture\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  const layers = readdirSync(SRC, { withFileTypes: true }).map((e) =>
    e.isDirectory() ? `${e.name}/` : e.name,
  );
  expect(layers.filter((name) => !section.includes(name))).toEqual([]);
});
