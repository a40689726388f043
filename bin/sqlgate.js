#!/usr/bin/env node
// The installed command loads only dist/ (the bundles hold every dependency), so the package
// installs with no dependencies of its own.
const command = process.argv[2] ?? '';
if (command === '--version' || command === '-v' || command === 'version') {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  console.log(`sqlgate ${pkg.version}`);
} else {
  // Node >= 22.1 can keep V8's compiled code of the bundles on disk (in the system's temporary
  // folder, or NODE_COMPILE_CACHE): a later run skips compiling them, a fifth or so of their
  // load time. Where it cannot (older Node, a read-only disk) nothing changes.
  const { default: module } = await import('node:module');
  module.enableCompileCache?.();
  // deploy, status and repair load a lean bundle: start-up time is part of every deploy.
  const lean = ['deploy', 'status', 'repair'].includes(command);
  const { runCli } = await import(lean ? '../dist/deploy-cli.js' : '../dist/cli.js');
  process.exitCode = await runCli(process.argv.slice(2));
}
