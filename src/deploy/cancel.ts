// A cancel from outside (what CI sends when a run is cancelled) becomes an AbortSignal the deploy
// obeys: it stops starting statements, stops the running one on the server, records its outcome
// and releases the lock. Killing the process instead would leave the statement running on the
// server behind a released lock, and the next deploy would not know how it ended.

export interface Cancel {
  readonly signal: AbortSignal;
  dispose(): void;
}

export interface CancelOptions {
  /** Told once per signal received. */
  readonly say: (line: string) => void;
  /**
   * Whether a second signal exits at once (a person pressing Ctrl-C twice). GitHub's runner sends
   * SIGINT and, 7.5 s later, SIGTERM to the same step: the Action keeps finishing its clean-up then.
   */
  readonly exitOnSecond: boolean;
}

export function cancelOnSignals(options: CancelOptions): Cancel {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      if (options.exitOnSecond) process.exit(130);
      options.say(`sqlgate: ${name} received again: still stopping the running statement and recording it`);
      return;
    }
    options.say(
      `sqlgate: ${name} received: stopping the running statement, recording it and releasing the lock${options.exitOnSecond ? ' (send it again to exit at once)' : ''}`,
    );
    controller.abort(name);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
