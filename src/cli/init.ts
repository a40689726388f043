// `sqlgate init`: lay out a new repository from the files this package ships — the starter
// policies (with their tests), the default workflows and an empty migrations folder — without
// ever overwriting a file the repository already has.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import type { CliIo } from './io.js';

export interface InitOptions {
  readonly dir: string;
  readonly database?: string;
  /** Where the package's own files are; default: the package this code was loaded from. */
  readonly packageRoot?: string;
}

export interface Template {
  /** Where it goes in the user's repository, with `/` separators. */
  readonly path: string;
  readonly content: string;
}

/** Where editors find the schemas in the user's repository: the installed package's copy. */
export const SCHEMA_HOME = 'node_modules/sqlgate/schemas';
const SCHEMA_LINE = /^(# yaml-language-server: \$schema=)\S*?([\w.-]+\.schema\.json)[ \t]*$/m;
const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;

/** The package's directory: the nearest one up from this module whose package.json is sqlgate's. */
export function packageRootOf(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'sqlgate') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`sqlgate init: cannot find the sqlgate package above ${moduleUrl}`);
    dir = parent;
  }
}

function filesUnder(root: string, dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) return dir === 'examples/workflows' ? [] : filesUnder(root, path, keep);
      return entry.isFile() && keep(entry.name) ? [path] : [];
    })
    .sort();
}

/** The package's starter policies (with policies/tests/) and default workflows (not optional/). */
export function readTemplates(packageRoot: string): Template[] {
  const policies = filesUnder(packageRoot, 'policies', (n) => /\.(ya?ml|sql)$/.test(n)).map((path) => ({
    path,
    content: readFileSync(join(packageRoot, path), 'utf8'),
  }));
  const workflows = filesUnder(packageRoot, 'examples/workflows', (n) => n.endsWith('.yml')).map((path) => ({
    path: `.github/workflows/${posix.basename(path)}`,
    content: readFileSync(join(packageRoot, path), 'utf8'),
  }));
  if (!policies.some((t) => t.path === 'policies/environments.yaml'))
    throw new Error(`sqlgate init: the package at ${packageRoot} has no policies/environments.yaml`);
  return [...policies, ...workflows];
}

/** The database the starter policies name (the first `databases:` entry). */
export function starterDatabase(templates: readonly Template[]): string {
  const environments = templates.find((t) => t.path === 'policies/environments.yaml')?.content ?? '';
  const name = /^databases:\s*\n\s*-\s*(?:\{\s*)?name:\s*([A-Za-z0-9_]+)/m.exec(environments)?.[1];
  if (!name) throw new Error('sqlgate init: the starter environments.yaml names no database');
  return name;
}

/**
 * The files to write, pure. Each `$schema` line points at the installed package's schema,
 * relative to the file (the package's own `../schemas/` does not exist in the user's repository),
 * and with `database` the starter's database name becomes the user's in every policy file.
 */
export function scaffold(templates: readonly Template[], database?: string): Template[] {
  const starter = starterDatabase(templates);
  const name = database ?? starter;
  if (!DATABASE_NAME.test(name))
    throw new InputError(
      `--database must be a database name of letters, digits and _ (at most 64), not "${name}"`,
    );
  const rename = new RegExp(`\\b${starter}\\b`, 'g');
  const files = templates.map((t) => {
    if (!t.path.startsWith('policies/')) return t;
    const home = posix.relative(posix.dirname(t.path), SCHEMA_HOME);
    const content = t.content.replace(
      SCHEMA_LINE,
      (_, prefix: string, schema: string) => `${prefix}${home}/${schema}`,
    );
    return { path: t.path, content: name === starter ? content : content.replace(rename, name) };
  });
  return [...files, { path: `migrations/${name}/.gitkeep`, content: '' }];
}

export function runInit(io: CliIo, options: InitOptions): number {
  const dir = resolve(io.cwd, options.dir);
  const files = scaffold(
    readTemplates(options.packageRoot ?? packageRootOf(import.meta.url)),
    options.database,
  );
  const shown = (path: string) => relative(io.cwd, join(dir, path)) || '.';
  const existing = files.filter((f) => existsSync(join(dir, f.path)));
  if (existing.length > 0) {
    throw new InputError(
      `refusing to overwrite ${existing.length} existing file${existing.length === 1 ? '' : 's'}; nothing was written:\n${existing
        .map((f) => `  ${shown(f.path)}`)
        .join('\n')}\nmove them aside, or run sqlgate init --dir in another directory`,
    );
  }
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content, { flag: 'wx' });
  }
  const database = files.at(-1)?.path.split('/')[1] ?? '';
  const count = (prefix: string) => files.filter((f) => f.path.startsWith(prefix)).length;
  io.out(
    `sqlgate init: wrote ${count('policies/')} policy files, ${count('.github/workflows/')} workflows and migrations/${database}/ in ${shown('')}`,
  );
  for (const file of files) io.out(`  ${shown(file.path)}`);
  io.out(`
Next steps:
  1. Put your people in policies/roles.yaml (GitHub logins or org/team) and check the policies:
       npx sqlgate validate
  2. In .github/workflows/, replace <owner> in "uses: <owner>/sqlgate@v0"; create the GitHub
     environments test and prod with their database URL secrets (README: Workflows), and make
     sqlgate/approval a required status check of main.
  3. Merge policies/ and .github/workflows/ to main in a pull request of their own BEFORE the
     first migration: a pull request is judged by the policies on its base branch.`);
  return 0;
}
