// Bundles the Action and the CLI into dist/. The runner executes dist/index.js as committed, so
// test/dist.test.ts rebuilds into a scratch folder and fails on any difference.
import { build } from 'esbuild';

// Each entry is self-contained (no shared chunks): the parser pool finds parse-worker.js beside
// whichever entry loaded it.
export const ENTRY_POINTS = {
  index: 'src/action.ts',
  cli: 'src/cli.ts',
  'deploy-cli': 'src/deploy-cli.ts',
  'parse-worker': 'src/parser/parse-worker.ts',
};

// Start-up is part of every deploy, and the deploy bundle is read and parsed on each: without
// whitespace and comments it loads ~12% faster (~15 ms of a nothing-pending deploy's ~340 ms).
// Names are kept, so a stack trace still names its functions. Renaming identifiers as well was
// slower to load, so no further; the other bundles stay readable.
const MINIFIED = new Set(['deploy-cli']);

export async function bundle(outdir: string, root = process.cwd()): Promise<void> {
  const buildEntries = (minifyWhitespace: boolean) =>
    build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(
        Object.entries(ENTRY_POINTS).filter(([name]) => MINIFIED.has(name) === minifyWhitespace),
      ),
      outdir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      banner: {
        // CommonJS dependencies (mysql2, simple-git, node-sql-parser) call require(); give them one.
        js: "import { createRequire as __sqlgateCreateRequire } from 'node:module'; const require = __sqlgateCreateRequire(import.meta.url);",
      },
      legalComments: 'none',
      logLevel: 'warning',
      minifySyntax: true,
      minifyWhitespace,
      sourcemap: false,
    });
  await Promise.all([buildEntries(false), buildEntries(true)]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rmSync } = await import('node:fs');
  rmSync('dist', { recursive: true, force: true });
  await bundle('dist');
}
