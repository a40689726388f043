// The lean entry for deploy, status and repair: it loads the policy reader, the splitter and
// the MySQL driver, not the SQL parser, the GitHub client or anything else the deploy never uses
// (bin/sqlgate.js picks it by the command's name).
import { runCommand } from './cli/commands.js';
import { DEPLOY_COMMANDS } from './cli/deploy-commands.js';
import { type CliIo, processIo } from './cli/io.js';

export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  return runCommand(DEPLOY_COMMANDS, argv, io);
}
