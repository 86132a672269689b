// `node out/bench/locks-run.js`: the lock file figures alone (bench/locks.ts), as JSON.
import { benchLocks } from './locks';

console.log(JSON.stringify(benchLocks(), null, 2));
