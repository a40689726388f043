// `npm run render-comment`: the pictures of the PR comment in the README (docs/comment.png and
// docs/comment-dark.png), made from real output. The seed scenario's pull request is planned by
// the code the check runs (`plan --format markdown --reviews`, which renders the check's comment),
// with the Tester's approval in, so the flow shows a step done and one waiting. The Markdown is
// rendered as GitHub does (marked, GitHub's Markdown CSS, Mermaid for the diagram) and captured by
// headless Chromium (Debian: apt-get install chromium).
//
// Mermaid is 150 MB installed with its dependencies, too much to add to every checkout for one
// picture: its standalone browser bundle is taken from the registry tarball with `npm pack`, once,
// into .tmp/render/ (git-ignored).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Marked } from 'marked';

export const MERMAID_VERSION = '12.3.0';
const WIDTH = 900;

export type Theme = 'light' | 'dark';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The comment's Markdown as GitHub shows it: Mermaid blocks become diagrams, the rest HTML. */
export function commentBodyHtml(markdown: string): string {
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      code({ text, lang }) {
        if (lang === 'mermaid') return `<pre class="mermaid">${escapeHtml(text)}</pre>\n`;
        return false;
      },
    },
  });
  return marked.parse(markdown, { async: false });
}

/** A page Chromium can screenshot; it puts the rendered height in the title once Mermaid is done. */
export function commentPage(body: string, theme: Theme, css: string, mermaid: string): string {
  const background = theme === 'dark' ? '#0d1117' : '#ffffff';
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>rendering</title>
<style>${css}
html, body { margin: 0; background: ${background}; }
.markdown-body { box-sizing: border-box; width: ${WIDTH}px; padding: 24px 32px; }
</style></head>
<body><article class="markdown-body">${body}</article>
<script>${mermaid}</script>
<script>
mermaid.initialize({ startOnLoad: false, theme: ${JSON.stringify(theme === 'dark' ? 'dark' : 'default')} });
mermaid.run().then(() => { document.title = String(document.documentElement.scrollHeight); });
</script>
</body></html>`;
}

function mermaidBundle(cache: string): string {
  const file = join(cache, `mermaid-${MERMAID_VERSION}.min.js`);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(cache, { recursive: true });
  const tarball = execFileSync(
    'npm',
    ['pack', `mermaid@${MERMAID_VERSION}`, '--silent', '--pack-destination', cache],
    {
      encoding: 'utf8',
    },
  ).trim();
  execFileSync('tar', ['-xzf', join(cache, tarball), '-C', cache, 'package/dist/mermaid.min.js']);
  writeFileSync(file, readFileSync(join(cache, 'package/dist/mermaid.min.js')));
  rmSync(join(cache, 'package'), { recursive: true, force: true });
  rmSync(join(cache, tarball), { force: true });
  return readFileSync(file, 'utf8');
}

function chromium(): string {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {}
  }
  throw new Error('render-comment: no Chromium found; install it (Debian: apt-get install chromium)');
}

/** The seed scenario's PR comment, with the Tester's approval in (devon wrote the PR). */
async function seedComment(root: string): Promise<string> {
  const { makeSeedRepo } = await import(`${root}/examples/seed/make-repo.mjs`);
  const { runCli } = await import(`${root}/src/cli.ts`);
  const dir: string = makeSeedRepo();
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    const reviews = [
      {
        id: 1,
        user: { login: 'tom' },
        state: 'APPROVED',
        submitted_at: '2026-11-25T10:01:00Z',
        commit_id: head,
      },
    ];
    writeFileSync(join(dir, '.reviews.json'), JSON.stringify(reviews));
    const out: string[] = [];
    const io = { cwd: dir, env: {}, out: (t: string) => out.push(t), err: () => {} };
    const argv = [
      'plan',
      '--base',
      'main',
      '--format',
      'markdown',
      '--reviews',
      '.reviews.json',
      '--author',
      'devon',
    ];
    const code = await runCli(argv, io);
    if (code !== 0) throw new Error(`render-comment: sqlgate ${argv.join(' ')} exited ${code}`);
    return out.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const root = resolve(import.meta.dirname, '..');
  const require = createRequire(import.meta.url);
  const browser = chromium();
  const work = join(root, '.tmp/render');
  const mermaid = mermaidBundle(work);
  const body = commentBodyHtml(await seedComment(root));
  for (const theme of ['light', 'dark'] as const) {
    const css = readFileSync(require.resolve(`github-markdown-css/github-markdown-${theme}.css`), 'utf8');
    const page = join(work, `comment-${theme}.html`);
    writeFileSync(page, commentPage(body, theme, css, mermaid));
    const flags = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      '--virtual-time-budget=15000',
    ];
    // First pass: the page's height once the diagram is drawn; second: the picture at that size.
    const dom = execFileSync(browser, [...flags, '--dump-dom', `file://${page}`], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024, // the dump holds the inlined Mermaid bundle
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const height = Number(/<title>(\d+)<\/title>/.exec(dom)?.[1]);
    if (!height) throw new Error(`render-comment: Mermaid did not finish rendering ${page}`);
    const png = join(root, 'docs', theme === 'light' ? 'comment.png' : 'comment-dark.png');
    mkdirSync(join(root, 'docs'), { recursive: true });
    execFileSync(
      browser,
      [...flags, `--window-size=${WIDTH},${height}`, `--screenshot=${png}`, `file://${page}`],
      {
        stdio: ['ignore', 'ignore', 'ignore'],
      },
    );
    console.log(`render-comment: wrote ${png} (${WIDTH}×${height})`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
