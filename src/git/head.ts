// The commit a deploy records in its history, read from the repository's files as git reads
// them: spawning `git rev-parse HEAD` cost every deploy ~15-20 ms of its start-up, the spawn
// itself rather than git's work. Whatever this reader does not know (GIT_DIR set, a reftable
// repository, an unborn branch) is left to git itself.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The commit checked out at `cwd` (or a folder above it), or null outside a git repository. */
export function headCommit(
  cwd: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | null {
  // These change where git looks; only git knows all of their rules.
  if (['GIT_DIR', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES'].some((name) => env[name] !== undefined))
    return askGit(cwd);
  const dotGit = findDotGit(cwd);
  if (dotGit === undefined) return null;
  const gitDir = gitDirOf(dotGit);
  return (gitDir === undefined ? undefined : readHead(gitDir)) ?? askGit(cwd);
}

function askGit(cwd: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** The `.git` of the nearest folder, from `cwd` up, that has one. */
function findDotGit(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    if (existsSync(dotGit)) return dotGit;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The repository folder: `.git` itself, or the folder a `.git` file names (a linked worktree). */
function gitDirOf(dotGit: string): string | undefined {
  if (statSync(dotGit).isDirectory()) return dotGit;
  const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'))?.[1];
  return pointer === undefined ? undefined : resolve(dirname(dotGit), pointer);
}

function readHead(gitDir: string): string | undefined {
  const commonFile = join(gitDir, 'commondir');
  // A linked worktree keeps its own HEAD; branches live in the main repository's folder.
  const commonDir = existsSync(commonFile)
    ? resolve(gitDir, readFileSync(commonFile, 'utf8').trim())
    : gitDir;
  let ref = 'HEAD';
  for (let depth = 0; depth < 5; depth++) {
    const content = readRef(gitDir, commonDir, ref);
    if (content === undefined) return undefined;
    if (SHA.test(content)) return content;
    const target = /^ref:\s*(refs\/\S+)$/.exec(content)?.[1];
    if (target === undefined || target.split('/').includes('..')) return undefined;
    ref = target;
  }
  return undefined;
}

/** A ref's content: its loose file (worktree first, then shared), else its packed-refs line. */
function readRef(gitDir: string, commonDir: string, ref: string): string | undefined {
  for (const dir of [gitDir, commonDir]) {
    const path = join(dir, ref);
    if (existsSync(path) && statSync(path).isFile()) return readFileSync(path, 'utf8').trim();
  }
  const packed = join(commonDir, 'packed-refs');
  if (!existsSync(packed)) return undefined;
  for (const line of readFileSync(packed, 'utf8').split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha !== undefined && SHA.test(sha)) return sha;
  }
  return undefined;
}
