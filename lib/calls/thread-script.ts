// The code of a worker thread (the export's, ingest's SQLite writer), bundled into one script the
// first time such a thread starts.
import { fileURLToPath } from 'node:url';

/**
 * On Node 20 a worker thread does not get the loader the server runs under, and loading the
 * TypeScript through tsx's own API gave the thread a loader thread of its own and esbuild: the
 * server's RSS grew by 35-38 MB with an export thread started by an export of no calls, against 11
 * MB with a bundled script. The bundling takes esbuild, which tsx runs on anyway, about 50 ms. The
 * drivers (`external`) stay outside, loaded from node_modules when the thread needs them.
 */
const scripts = new Map<string, Promise<string>>();

/** The script of the thread whose entry is `entry` (a .ts file's URL), to start with `eval: true`. */
export function threadScript(entry: URL, external: readonly string[]): Promise<string> {
  const key = entry.href;
  let script = scripts.get(key);
  if (script) return script;
  script = (async () => {
    const esbuild = await import('esbuild');
    try {
      const out = await esbuild.build({
        entryPoints: [fileURLToPath(entry)],
        bundle: true,
        platform: 'node',
        format: 'iife',
        target: `node${process.versions.node}`,
        external: [...external],
        write: false,
        logLevel: 'silent',
      });
      // An evaluated worker's `require` looks in the working directory: this one looks from the entry.
      const require = `require('node:module').createRequire(${JSON.stringify(entry.href)})`;
      return `((require) => {\n${out.outputFiles[0]!.text}\n})(${require});\n`;
    } finally {
      // Its service process is not needed again.
      await esbuild.stop();
    }
  })();
  scripts.set(key, script);
  // A failed bundling is tried again by the next thread.
  script.catch(() => scripts.delete(key));
  return script;
}
