// The Octokit client: retries on server errors, waits out rate limits (primary and secondary)
// as GitHub's documentation asks, and spaces content-creating requests.
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';

const Client = Octokit.plugin(retry, throttling);
export type GitHub = InstanceType<typeof Client>;

export interface ClientOptions {
  readonly token: string;
  /** `GITHUB_API_URL`; GitHub Enterprise Server has its own. */
  readonly baseUrl?: string;
  /** Milliseconds per second of a rate limit's retry-after (1000 in production). */
  readonly retryAfterScale?: number;
  /** Minimum milliseconds between writes (GitHub asks for 1 s between content-creating requests). */
  readonly writeIntervalMs?: number;
  readonly log?: (message: string) => void;
}

export function createGitHub(options: ClientOptions): GitHub {
  const log = options.log ?? (() => {});
  return new Client({
    auth: options.token,
    baseUrl: options.baseUrl ?? 'https://api.github.com',
    userAgent: 'sqlgate',
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(m), error: (m: string) => log(m) },
    throttle: {
      retryAfterBaseValue: options.retryAfterScale ?? 1000,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeIntervalMs ?? 1000 }),
      notifications: new Bottleneck.Group({
        maxConcurrent: 1,
        minTime: (options.writeIntervalMs ?? 1000) * 3,
      }),
      onRateLimit: (
        retryAfter: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        log(`GitHub rate limit hit on ${request.method} ${request.url}; retrying in ${retryAfter} s`);
        return retryCount < 2;
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        log(
          `GitHub secondary rate limit hit on ${request.method} ${request.url}; retrying in ${retryAfter} s`,
        );
        return retryCount < 2;
      },
    },
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 451] },
  });
}
