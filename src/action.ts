// The Action's entry: read the settings once, run, and turn any error into a failed step with
// one clear line (never a stack trace alone).
import * as core from '@actions/core';
import { readSettings } from './action/inputs.js';
import { runAction } from './action/run.js';
import { failureMessage } from './report/errors.js';

async function main(): Promise<void> {
  try {
    await runAction(readSettings());
  } catch (error) {
    core.setFailed(failureMessage(error));
  }
}

await main();
