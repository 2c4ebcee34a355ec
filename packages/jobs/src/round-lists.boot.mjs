// A worker thread starts without the TypeScript loader its process runs under (`tsx`, as every service and test
// does): register it in this thread, then load the worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./round-lists.worker.ts');
