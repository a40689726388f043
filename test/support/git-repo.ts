import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../policy/seed-texts.js';

/** A throwaway git repository for tests, seeded with the example policies. */
export class TempRepo {
  readonly dir: string;

  constructor(options: { withPolicies?: boolean } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'sqlgate-repo-'));
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'dev@example.com');
    this.git('config', 'user.name', 'Dev');
    this.git('config', 'commit.gpgsign', 'false');
    if (options.withPolicies !== false)
      cpSync(join(REPO_ROOT, 'examples/seed/policies'), join(this.dir, 'policies'), { recursive: true });
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  }

  write(files: Record<string, string | Buffer>): this {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), content);
    }
    return this;
  }

  remove(path: string): this {
    rmSync(join(this.dir, path));
    return this;
  }

  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A PR merged the way GitHub's merge button does: a branch off main, then a --no-ff merge commit. */
  mergePullRequest(pr: {
    number: number;
    branch: string;
    title: string;
    files: Record<string, string>;
  }): string {
    this.git('checkout', '-q', '-b', pr.branch);
    this.write(pr.files);
    this.commit(pr.title);
    this.git('checkout', '-q', 'main');
    this.git(
      'merge',
      '-q',
      '--no-ff',
      '-m',
      `Merge pull request #${pr.number} from acme/${pr.branch}\n\n${pr.title}`,
      pr.branch,
    );
    return this.git('rev-parse', 'HEAD');
  }
}
