#!/usr/bin/env node
// deploy, status and repair load a lean bundle: start-up time is part of every deploy.
const lean = ['deploy', 'status', 'repair'].includes(process.argv[2] ?? '');
const { runCli } = await import(lean ? '../dist/deploy-cli.js' : '../dist/cli.js');

process.exitCode = await runCli(process.argv.slice(2));
