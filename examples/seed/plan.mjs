// `npm run example`: the main job on the bundled example — `sqlgate plan` for the seed
// scenario's pull request, in a throwaway git repository.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeSeedRepo } from './make-repo.mjs';

const bin = fileURLToPath(new URL('../../bin/sqlgate.js', import.meta.url));
const dir = makeSeedRepo();
try {
  console.log(`$ cd ${dir} && sqlgate plan --base main\n`);
  execFileSync(process.execPath, [bin, 'plan', '--base', 'main', ...process.argv.slice(2)], { cwd: dir, stdio: 'inherit' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
