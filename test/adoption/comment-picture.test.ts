// Issue 11, what the reviewer sees: the README shows the PR comment as a picture made from real
// output by scripts/render-comment.ts, in GitHub's light and dark themes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commentBodyHtml, commentPage } from '../../scripts/render-comment.js';
import { REPO_ROOT } from '../policy/seed-texts.js';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const png = readFileSync(path);
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), path).toBe(
    true,
  );
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the picture of the PR comment', () => {
  it('renders Mermaid blocks as diagrams and the rest as GitHub-flavoured HTML', () => {
    const html = commentBodyHtml(
      '## Flow\n\n```mermaid\nflowchart LR\n  a["1. Tester"] --> b\n```\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n',
    );
    expect(html).toContain('<pre class="mermaid">flowchart LR\n  a[&quot;1. Tester&quot;] --&gt; b</pre>');
    expect(html).toContain('<table>');
    const page = commentPage(html, 'dark', '.markdown-body{}', '/* mermaid */');
    expect(page).toContain('theme: "dark"');
    expect(page).toContain('document.title = String(document.documentElement.scrollHeight)');
  });

  it('is in docs/, in both themes, and the README shows it', () => {
    for (const file of ['docs/comment.png', 'docs/comment-dark.png']) {
      const { width, height } = pngSize(join(REPO_ROOT, file));
      expect(width, file).toBe(900);
      expect(height, file).toBeGreaterThan(400);
    }
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('<source media="(prefers-color-scheme: dark)" srcset="docs/comment-dark.png">');
    expect(readme).toMatch(/<img alt="The sqlgate PR comment[^"]*" src="docs\/comment\.png"/);
    expect(readme).toContain('npm run render-comment');
  });
});
