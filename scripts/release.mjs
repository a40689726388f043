// `npm run release -- X.Y.Z [--push]`: cut a release from a clean checkout. Sets the version,
// rebuilds dist/ and refuses when the committed dist/ differs from what the source builds to
// (the runner executes dist/ as committed), commits the version, tags vX.Y.Z and moves the major
// tag (v0) that workflows use (`uses: <owner>/sqlgate@v0`). Plain Node, no dependencies.
// Nothing leaves this machine unless --push is given, and the last lines say what was pushed or
// what to push.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const push = args.includes('--push');
const version = args.find((a) => !a.startsWith('--'));

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(2);
}
const git = (...a) => execFileSync('git', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const dirty = () => git('status', '--porcelain', '--untracked-files=all');

if (!version || !/^\d+\.\d+\.\d+$/.test(version))
  fail(`give the version as X.Y.Z, e.g. npm run release -- 0.2.0 (got ${version ? `"${version}"` : 'none'})`);
const tag = `v${version}`;
const major = `v${version.split('.')[0]}`;

if (dirty()) fail(`the working tree has uncommitted changes; commit or stash them first:\n${dirty()}`);
if (git('tag', '--list', tag)) fail(`tag ${tag} already exists (at ${git('rev-list', '-n', '1', tag)})`);

for (const file of ['package.json', 'package-lock.json']) {
  let json;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    continue; // no lock file: nothing to set there
  }
  json.version = version;
  if (json.packages?.['']) json.packages[''].version = version;
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}

console.log(`release: building ${tag} (npm run bundle)`);
const build = spawnSync('npm', ['run', 'bundle'], { stdio: 'inherit' });
if (build.status !== 0) {
  git(
    'checkout',
    '--',
    'package.json',
    ...(git('ls-files', 'package-lock.json') ? ['package-lock.json'] : []),
  );
  fail('npm run bundle failed; nothing was tagged');
}
const stale = git('status', '--porcelain', '--untracked-files=all', '--', 'dist');
if (stale) {
  git(
    'checkout',
    '--',
    'package.json',
    ...(git('ls-files', 'package-lock.json') ? ['package-lock.json'] : []),
  );
  fail(
    `the committed dist/ is not what the source builds to; commit the rebuilt dist/ (left in the working tree) and run the release again:\n${stale}`,
  );
}

if (dirty()) {
  git('add', 'package.json', ...(git('ls-files', 'package-lock.json') ? ['package-lock.json'] : []));
  git('commit', '-q', '-m', `Release ${tag}`);
}
git('tag', '-a', tag, '-m', `sqlgate ${tag}`);
const previous = git('tag', '--list', major) ? git('rev-list', '-n', '1', major) : '';
git('tag', '-f', '-a', major, '-m', `sqlgate ${tag} (moving major tag)`);
const commit = git('rev-parse', 'HEAD');
const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
console.log(
  `release: tagged ${tag} at ${commit}; ${major} ${previous ? `moved from ${previous.slice(0, 12)}` : 'created'} to it`,
);

const pushes = [
  ['push', 'origin', `refs/heads/${branch}`, `refs/tags/${tag}`],
  ['push', '--force', 'origin', `refs/tags/${major}`],
];
if (push) {
  for (const p of pushes) {
    console.log(`release: git ${p.join(' ')}`);
    git(...p);
  }
  console.log(`release: pushed ${branch}, ${tag} and ${major} to origin`);
} else {
  console.log('release: nothing was pushed. To publish, run:');
  for (const p of pushes) console.log(`  git ${p.join(' ')}`);
  console.log(`then attach the tarball of \`npm pack\` to the GitHub release ${tag}.`);
}
