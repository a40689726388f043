// Every ref the code hands to git is a commit or fully qualified (refs/heads/…, refs/remotes/…,
// refs/tags/…): git resolves a bare `main` to refs/tags/main before refs/heads/main, so a tag named
// like a branch would pass for it (issue 9, hole 3). This reads src/ the way a lint rule would;
// src/git/repo.ts is the adapter that qualifies names (branchTip, qualify) and is not linted.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../policy/seed-texts.js';

const METHODS =
  'resolve|isAncestor|mergeBase|changedFiles|listFiles|readFiles|commitsAdding|fingerprint|hasCommit|firstParent';
const CALL = new RegExp(`\\b(?:repo|git)\\.(?:${METHODS})\\(`, 'g');
const REF_OPTION = /\b(?:base|head):\s*/g;
/** A name that holds a branch or tag name rather than a commit or a qualified ref. */
const NAME_OF_A_REF = /(?:^|\.)(?:\w*[bB]ranch\w*|ref|refName|tag|tagName)$/;

/** The text of the balanced (…) that starts at `open`. */
function balanced(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

function topLevel(args: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i] as string;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && separator.test(args.slice(i, i + 2))) {
      parts.push(args.slice(start, i));
      start = i + (args.slice(i, i + 2) === '??' ? 2 : 1);
      i = start - 1;
    }
  }
  parts.push(args.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Why an argument given to git as a ref may be a bare branch or tag name, or undefined. */
function bare(arg: string): string | undefined {
  for (const operand of topLevel(arg, /^\?\?/)) {
    const literal = /^(['"`])(.*)\1$/s.exec(operand);
    if (literal) {
      const text = literal[2] as string;
      if (text.startsWith('refs/') || /^HEAD\b/.test(text)) continue;
      const lead = /^\$\{([^}]+)\}/.exec(text);
      if (lead && !NAME_OF_A_REF.test((lead[1] as string).trim())) continue;
      return `the string ${operand} is not a fully qualified ref`;
    }
    const expression = operand.replace(/^await\s+/, '').replace(/\?\./g, '.');
    if (/^[\w.]+$/.test(expression) && NAME_OF_A_REF.test(expression))
      return `${operand} holds a branch or tag name; pass a commit or refs/…`;
  }
  return undefined;
}

function bareRefs(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(CALL)) {
    const open = (match.index ?? 0) + match[0].length - 1;
    for (const arg of topLevel(balanced(source, open), /^,/)) {
      const why = bare(arg);
      if (why) found.push(`${match[0]}…): ${why}`);
    }
  }
  for (const match of source.matchAll(REF_OPTION)) {
    const rest = source.slice((match.index ?? 0) + match[0].length);
    const value = topLevel(rest.slice(0, rest.search(/,\n|\n\s*[}\]]/)), /^,/)[0] ?? '';
    const why = bare(value);
    if (why) found.push(`${match[0].trim()} ${value}: ${why}`);
  }
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('refs handed to git are fully qualified', () => {
  it.each([
    'await repo.isAncestor(tagCommit, branch)',
    "repo.resolve('main')",
    'ctx.repo.mergeBase(commit, input.defaultBranch)',
    'await repo.readFiles(`$' + '{branch}`, paths)',
    'planChange({ repo, base: pull?.baseSha ?? defaultBranch, head })',
  ])('flags a bare name: %s', (code) => {
    expect(bareRefs(code)).not.toEqual([]);
  });

  it.each([
    'await repo.isAncestor(tagCommit, tip)',
    "repo.resolve('refs/heads/main')",
    'repo.resolve(`refs/remotes/origin/$' + '{branch}`)',
    'await repo.readFiles(merged.head.sha, [path])',
    'planChange({ repo, base: pull?.baseSha ?? (await repo.branchTip(b)) ?? `refs/heads/$' +
      "{b}`, head: 'HEAD' })",
  ])('accepts a commit or a qualified ref: %s', (code) => {
    expect(bareRefs(code)).toEqual([]);
  });

  it('src/ hands git no bare branch or tag name', () => {
    const root = join(REPO_ROOT, 'src');
    const found = sources(root)
      .filter((path) => relative(root, path) !== join('git', 'repo.ts'))
      .flatMap((path) =>
        bareRefs(readFileSync(path, 'utf8')).map((f) => `${relative(REPO_ROOT, path)}: ${f}`),
      );
    expect(found).toEqual([]);
  });
});
