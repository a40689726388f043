/** Where a CLI command writes and what it may read from its process; tests pass their own. */
export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  err(text: string): void;
}

export function processIo(): CliIo {
  const out = closableStream(process.stdout);
  const err = closableStream(process.stderr);
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (text) => out(`${text}\n`),
    err: (text) => err(`${text}\n`),
  };
}

/**
 * A reader that goes away (`sqlgate plan | head`) must not crash the command with EPIPE: a deploy
 * whose log is piped must still finish its statement, record it and release its lock. Once the
 * pipe is closed, further output to it is dropped.
 */
function closableStream(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') closed = true;
    else throw error;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}
