// The seed producer's entry. On Node 20 a worker thread does not get the loader that
// `node --import tsx` gave the main thread, so the TypeScript is loaded through tsx's own API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./seed-batches.ts', import.meta.url);
