// The git adapter: what changed between two commits and what files held at a commit. Reads
// many files through one `git cat-file --batch` process instead of one `git show` each.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { type SimpleGit, simpleGit } from 'simple-git';
import { InputError } from '../errors.js';

export type ChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed';

export interface FileChange {
  readonly status: ChangeStatus;
  readonly path: string;
  /** For renames and copies: where the file came from. */
  readonly from?: string;
}

const STATUS: Record<string, ChangeStatus> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type-changed',
};

export class GitRepo {
  private readonly git: SimpleGit;

  constructor(readonly dir: string) {
    this.git = simpleGit({ baseDir: dir });
  }

  async resolve(ref: string): Promise<string> {
    const sha = await this.git.revparse(['--verify', '--quiet', `${ref}^{commit}`]).catch(() => '');
    if (!/^[0-9a-f]{40}$/.test(sha.trim())) {
      throw new InputError(
        `git ref "${ref}" does not exist in ${this.dir} (fetch it, e.g. git fetch origin main, or pass --base REF)`,
      );
    }
    return sha.trim();
  }

  /** Whether the commit is in this repository (a shallow clone lacks older ones). */
  async hasCommit(sha: string): Promise<boolean> {
    const found = await this.git.raw(['rev-parse', '--verify', '--quiet', `${sha}^{commit}`]).catch(() => '');
    return found.trim().length > 0;
  }

  async isRepository(): Promise<boolean> {
    return this.git.checkIsRepo().catch(() => false);
  }

  async mergeBase(a: string, b: string): Promise<string> {
    return (await this.git.raw(['merge-base', a, b])).trim();
  }

  /**
   * The tip of a branch as this checkout knows it: the fetched `origin/<branch>`, else the local
   * branch. Always a fully qualified ref: git resolves a bare `main` to `refs/tags/main` first,
   * so a tag named like the branch would pass for it.
   */
  async branchTip(branch: string): Promise<string | undefined> {
    for (const ref of [`refs/remotes/origin/${branch}`, `refs/heads/${branch}`]) {
      if (await this.hasCommit(ref)) return this.resolve(ref);
    }
    return undefined;
  }

  /**
   * A ref a person typed (`sqlgate plan --base main`), fully qualified: a branch before a tag of
   * the same name. Commits, `HEAD` and anything already under `refs/` are taken as they are.
   */
  async qualify(name: string): Promise<string> {
    if (/^[0-9a-f]{7,40}$/.test(name) || name.startsWith('refs/') || /^HEAD\b/.test(name)) return name;
    for (const ref of [
      `refs/heads/${name}`,
      `refs/remotes/${name}`,
      `refs/remotes/origin/${name}`,
      `refs/tags/${name}`,
    ]) {
      if (await this.hasCommit(ref)) return ref;
    }
    return name;
  }

  /** The first parent of a commit: for a merge, the tip of the branch it merged into. */
  async firstParent(commit: string): Promise<string | undefined> {
    const found = await this.git.raw(['rev-parse', '--verify', '--quiet', `${commit}^1`]).catch(() => '');
    return /^[0-9a-f]{40}$/.test(found.trim()) ? found.trim() : undefined;
  }

  /** Is `commit` reachable from `ref` (an ancestor of it, or the same commit)? */
  async isAncestor(commit: string, ref: string): Promise<boolean> {
    // simple-git does not report `merge-base --is-ancestor`'s silent exit code 1 as an error,
    // so compare the merge base instead.
    try {
      const [full, base] = await Promise.all([this.resolve(commit), this.mergeBase(commit, ref)]);
      return base === full;
    } catch {
      return false;
    }
  }

  async changedFiles(from: string, to: string): Promise<FileChange[]> {
    const out = await this.git.raw(['diff', '--name-status', '--no-renames', '-z', from, to]);
    const fields = out.split('\0').filter((f) => f.length > 0);
    const changes: FileChange[] = [];
    for (let i = 0; i < fields.length; ) {
      const code = (fields[i] as string)[0] as string;
      const status = STATUS[code] ?? 'modified';
      if (code === 'R' || code === 'C') {
        changes.push({ status, from: fields[i + 1] as string, path: fields[i + 2] as string });
        i += 3;
      } else {
        changes.push({ status, path: fields[i + 1] as string });
        i += 2;
      }
    }
    return changes;
  }

  async fetch(refspec: string, remote = 'origin'): Promise<void> {
    await this.git.raw(['fetch', '--quiet', remote, refspec]);
  }

  /**
   * Fetch one commit by its SHA (GitHub serves commits no branch reaches any more, such as the
   * head a PR had before a rebase); true when the commit is here afterwards.
   */
  async fetchCommit(sha: string, remote = 'origin'): Promise<boolean> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return false;
    if (await this.hasCommit(sha)) return true;
    await this.git
      .raw(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, sha])
      .catch(() => {});
    return this.hasCommit(sha);
  }

  /** Every file path under `dir` at `ref`. */
  async listFiles(ref: string, dir: string): Promise<string[]> {
    const out = await this.git.raw(['ls-tree', '-r', '--name-only', '-z', ref, '--', dir]);
    return out.split('\0').filter((p) => p.length > 0);
  }

  /** The commits (newest first) that added `path` on the history of `ref`. */
  async commitsAdding(path: string, ref: string): Promise<string[]> {
    const out = await this.git.raw(['log', '--format=%H', '--diff-filter=A', ref, '--', path]);
    return out.split('\n').filter((l) => l.length > 0);
  }

  /** The commits (newest first) that added or edited `path` on the history of `ref`. */
  async commitsChanging(path: string, ref: string): Promise<string[]> {
    const out = await this.git.raw(['log', '--format=%H', '--diff-filter=AM', ref, '--', path]);
    return out.split('\n').filter((l) => l.length > 0);
  }

  /**
   * A fingerprint of what a change does to the files under `dirs`: a hash of the diff (paths,
   * modes, blob ids) from its merge base with `base` to `commit`. It changes exactly when the
   * change adds, removes or edits a file there differently, and not when the change is rebased
   * onto a base that moved on. Undefined when a commit is not in this repository (force-pushed
   * away, or not fetched).
   */
  async changeFingerprint(
    base: string,
    commit: string,
    dirs: readonly string[],
  ): Promise<string | undefined> {
    try {
      const from = await this.mergeBase(base, commit);
      const diff = await this.git.raw([
        'diff',
        '--raw',
        '--no-renames',
        '--no-abbrev',
        '-z',
        from,
        commit,
        '--',
        ...dirs,
      ]);
      return createHash('sha256').update(diff).digest('hex');
    } catch {
      return undefined;
    }
  }

  /** Contents of many files at one commit; a path that does not exist there maps to undefined. */
  async readFiles(ref: string, paths: readonly string[]): Promise<Map<string, Buffer | undefined>> {
    const blobs = await this.readBlobs(paths.map((path) => ({ ref, path })));
    return new Map(paths.map((p, i) => [p, blobs[i]]));
  }

  /** Contents of files each at its own commit, in the order asked; undefined where one does not exist. */
  async readBlobs(specs: readonly { ref: string; path: string }[]): Promise<(Buffer | undefined)[]> {
    if (specs.length === 0) return [];
    const child = spawn('git', ['cat-file', '--batch'], { cwd: this.dir, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`git cat-file exited with ${code}`)),
      );
    });
    child.stdin.end(specs.map((s) => `${s.ref}:${s.path}\n`).join(''));
    await done;
    const out = Buffer.concat(chunks);
    const result: (Buffer | undefined)[] = [];
    let offset = 0;
    for (const _ of specs) {
      const eol = out.indexOf(10, offset);
      const header = out.subarray(offset, eol).toString('utf8');
      offset = eol + 1;
      if (header.endsWith(' missing')) {
        result.push(undefined);
        continue;
      }
      const size = Number(header.split(' ')[2]);
      result.push(out.subarray(offset, offset + size));
      offset += size + 1;
    }
    return result;
  }

  /**
   * The commits of `ref`'s first-parent history (what landed on the branch: merge commits,
   * squash merges, direct pushes), newest first, each with the files under `dir` it added
   * compared with its first parent.
   */
  async firstParentAdditions(ref: string, dir: string): Promise<LandedCommit[]> {
    const out = await this.git.raw([
      '-c',
      'core.quotePath=false',
      'log',
      '--first-parent',
      '--diff-merges=first-parent',
      '--diff-filter=A',
      '--name-only',
      `--format=${RECORD}%H${FIELD}%P${FIELD}%cI${FIELD}%B${END}`,
      ref,
      '--',
      dir,
    ]);
    return out
      .split(RECORD)
      .filter((r) => r.includes(END))
      .map((record) => {
        const [head = '', names = ''] = record.split(END);
        const [commit = '', parents = '', date = '', message = ''] = head.split(FIELD);
        return {
          commit,
          parents: parents.split(' ').filter((p) => p.length > 0),
          date,
          message: message.trim(),
          added: names.split('\n').filter((n) => n.length > 0),
        };
      });
  }
}

/** A commit on a branch's first-parent history and the files it added there. */
export interface LandedCommit {
  readonly commit: string;
  readonly parents: readonly string[];
  /** Committer date, ISO 8601: when it landed. */
  readonly date: string;
  readonly message: string;
  readonly added: readonly string[];
}

// Separators git never writes in commit messages or paths on its own.
const RECORD = '\x1e';
const FIELD = '\x1f';
const END = '\x1d';
