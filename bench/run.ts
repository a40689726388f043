// `npm run bench`: every benchmark, one after another, each printing its figures and ratio.
import { benchAnalysis } from './analysis.js';
import { benchCheck } from './check.js';
import { benchColdStart } from './cold-start.js';
import { benchDeploy } from './deploy.js';
import { benchOnline } from './online.js';
import { benchPolicyLoad } from './policy-load.js';
import { benchRehearsal } from './rehearsal.js';
import { benchWhatIf } from './whatif.js';

console.log(`# sqlgate benchmarks — ${new Date().toISOString().slice(0, 10)}, node ${process.version}`);
await benchPolicyLoad();
await benchAnalysis();
await benchCheck();
await benchDeploy();
await benchOnline();
await benchRehearsal();
await benchColdStart();
await benchWhatIf();
