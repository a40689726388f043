// A small local HTTP server that answers the GitHub REST endpoints sqlgate uses, with GitHub's
// payload shapes, and records what was written. The Action under test reaches it through
// GITHUB_API_URL, as it would reach GitHub Enterprise Server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  commitStatus,
  issueComment,
  prCommit,
  prFile,
  pullRequest,
  review,
  user,
} from './github-fixtures.js';

interface Request {
  url: URL;
  body: Record<string, unknown>;
  method: string;
  send(status: number, payload: unknown): void;
}

interface Pr {
  number: number;
  author: string;
  baseSha: string;
  headSha: string;
  files: string[];
  reviews: ReturnType<typeof review>[];
  mergedAt: string | null;
  mergeCommitSha: string | null;
  /** Commits whose "associated pull requests" include this PR. */
  commits: string[];
  /** The PR's commits as its commits endpoint lists them: who authored and who committed each. */
  pushed: { sha: string; author: string | null; committer: string | null }[];
}

export class FakeGitHub {
  private server: Server | undefined;
  readonly prs = new Map<number, Pr>();
  readonly comments = new Map<number, ReturnType<typeof issueComment>[]>();
  readonly statuses: { sha: string; state: string; description: string; context: string }[] = [];
  readonly requests: string[] = [];
  readonly teams = new Map<string, string[]>();
  /** Writes the token may not make, answered 403 as GitHub does: 'statuses', 'comments'. */
  readonly forbidden = new Set<'statuses' | 'comments'>();
  private clock = Date.UTC(2026, 10, 25, 9, 0, 0);

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** A monotonically increasing timestamp, so review order is submission order. */
  tick(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString();
  }

  openPr(
    pr: Omit<Pr, 'reviews' | 'mergedAt' | 'mergeCommitSha' | 'commits' | 'pushed'> &
      Partial<Pick<Pr, 'commits' | 'pushed'>>,
  ): void {
    this.prs.set(pr.number, {
      ...pr,
      reviews: [],
      mergedAt: null,
      mergeCommitSha: null,
      commits: pr.commits ?? [pr.headSha],
      pushed: pr.pushed ?? [{ sha: pr.headSha, author: pr.author, committer: pr.author }],
    });
  }

  /** Someone pushes a commit to an open PR: it becomes the head. */
  push(number: number, sha: string, author: string, committer = author): void {
    const pr = this.prs.get(number) as Pr;
    pr.headSha = sha;
    pr.pushed.push({ sha, author, committer });
  }

  review(
    number: number,
    login: string,
    state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED',
    commit?: string,
  ): void {
    const pr = this.prs.get(number) as Pr;
    pr.reviews.push(review(login, state, this.tick(), commit ?? pr.headSha, number));
  }

  merge(number: number, mergeCommitSha: string): string {
    const pr = this.prs.get(number) as Pr;
    pr.mergedAt = this.tick();
    pr.mergeCommitSha = mergeCommitSha;
    pr.commits.push(mergeCommitSha);
    return pr.mergedAt;
  }

  statusesOf(sha: string) {
    return this.statuses.filter((s) => s.sha === sha).map((s) => `${s.state}: ${s.description}`);
  }

  commentOf(number: number): string | undefined {
    return this.comments.get(number)?.at(-1)?.body;
  }

  private routes(): [string, RegExp, (m: RegExpExecArray, r: Request) => void][] {
    const REPO_PATH = '^/repos/[^/]+/[^/]+';
    return [
      this.pullList(`${REPO_PATH}/pulls/(\\d+)/files$`, (pr) => pr.files.map((f) => prFile(f))),
      this.pullList(`${REPO_PATH}/pulls/(\\d+)/reviews$`, (pr) => pr.reviews),
      this.pullList(`${REPO_PATH}/pulls/(\\d+)/commits$`, (pr) =>
        pr.pushed.map((c) => prCommit(c.sha, c.author, c.committer)),
      ),
      [
        '*',
        new RegExp(`${REPO_PATH}/issues/(\\d+)/comments$`),
        (m, r) => {
          const number = Number(m[1]);
          const list = this.comments.get(number) ?? [];
          if (r.method === 'GET') return r.send(200, page(r.url, list));
          if (this.forbidden.has('comments'))
            return r.send(403, FORBIDDEN('issues/comments#create-an-issue-comment'));
          const comment = issueComment(String(r.body.body), number);
          this.comments.set(number, [...list, comment]);
          return r.send(201, comment);
        },
      ],
      [
        'PATCH',
        new RegExp(`${REPO_PATH}/issues/comments/(\\d+)$`),
        (m, r) => {
          for (const list of this.comments.values()) {
            const i = list.findIndex((c) => c.id === Number(m[1]));
            if (i >= 0) {
              list[i] = { ...(list[i] as ReturnType<typeof issueComment>), body: String(r.body.body) };
              return r.send(200, list[i]);
            }
          }
          return r.send(404, { message: 'Not Found' });
        },
      ],
      [
        'POST',
        new RegExp(`${REPO_PATH}/statuses/([0-9a-f]{40})$`),
        (m, r) => {
          if (this.forbidden.has('statuses'))
            return r.send(403, FORBIDDEN('commits/statuses#create-a-commit-status'));
          const entry = {
            sha: m[1] as string,
            state: String(r.body.state),
            description: String(r.body.description ?? ''),
            context: String(r.body.context),
          };
          this.statuses.push(entry);
          return r.send(201, commitStatus(entry.sha, entry.state, entry.description));
        },
      ],
      [
        'GET',
        new RegExp(`${REPO_PATH}/commits/([0-9a-f]{40})/pulls$`),
        (m, r) => {
          const sha = m[1] as string;
          return r.send(
            200,
            [...this.prs.values()].filter((p) => p.commits.includes(sha)).map((p) => this.pullJson(p)),
          );
        },
      ],
      [
        'GET',
        /^\/orgs\/([^/]+)\/teams\/([^/]+)\/members$/,
        (m, r) => {
          const members = this.teams.get(`${m[1]}/${m[2]}`);
          return members
            ? r.send(
                200,
                page(
                  r.url,
                  members.map((login) => user(login)),
                ),
              )
            : r.send(404, { message: 'Not Found' });
        },
      ],
    ];
  }

  /** A paged list that belongs to one PR, 404 for a PR that does not exist. */
  private pullList(
    path: string,
    items: (pr: Pr) => unknown[],
  ): [string, RegExp, (m: RegExpExecArray, r: Request) => void] {
    return [
      'GET',
      new RegExp(path),
      (m, r) => {
        const pr = this.prs.get(Number(m[1]));
        return pr ? r.send(200, page(r.url, items(pr))) : r.send(404, { message: 'Not Found' });
      },
    ];
  }

  private pullJson(pr: Pr) {
    return pullRequest({
      number: pr.number,
      author: pr.author,
      baseSha: pr.baseSha,
      headSha: pr.headSha,
      mergedAt: pr.mergedAt,
      mergeCommitSha: pr.mergeCommitSha,
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    this.requests.push(`${method} ${path}`);
    let body: Record<string, unknown> = {};
    if (method !== 'GET') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : {};
    }
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-ratelimit-remaining': '4999',
      });
      res.end(JSON.stringify(payload));
    };
    for (const [verb, pattern, handler] of this.routes()) {
      const match = pattern.exec(path);
      if (match && (verb === method || verb === '*')) return handler(match, { url, body, method, send });
    }
    send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }
}

/** GitHub's reply when the workflow token lacks a permission. */
const FORBIDDEN = (doc: string) => ({
  message: 'Resource not accessible by integration',
  documentation_url: `https://docs.github.com/rest/${doc}`,
  status: '403',
});

function page<T>(url: URL, items: T[]): T[] {
  const perPage = Number(url.searchParams.get('per_page') ?? 30);
  const n = Number(url.searchParams.get('page') ?? 1);
  return items.slice((n - 1) * perPage, n * perPage);
}
