// The Action's entry: read the settings once, run, and turn any error into a failed step with
// one clear line (never a stack trace alone).
import * as core from '@actions/core';
import { readSettings } from './action/inputs.js';
import { runAction } from './action/run.js';
import { InputError } from './errors.js';

async function main(): Promise<void> {
  try {
    await runAction(readSettings());
  } catch (error) {
    const message =
      error instanceof InputError && error.errors.length > 0
        ? error.errors.map((e) => e.format()).join('\n')
        : error instanceof Error
          ? error.message
          : String(error);
    core.setFailed(`sqlgate: ${message}`);
  }
}

await main();
