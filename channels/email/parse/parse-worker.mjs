// Entry of a mail parse worker (parse-pool.ts). A worker thread starts as plain Node, whatever
// loader its parent runs under (tsx for `npm start`, vite for vitest), so it registers tsx to
// load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./parse.worker.ts');
