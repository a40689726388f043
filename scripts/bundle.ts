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

export async function bundle(outdir: string, root = process.cwd()): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
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
    sourcemap: false,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rmSync } = await import('node:fs');
  rmSync('dist', { recursive: true, force: true });
  await bundle('dist');
}
