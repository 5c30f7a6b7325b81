// What the server does at start to hold less memory: measured at 100 signed callbacks/s with 50
// boards, see "Server memory: what holds it" in docs/performance.md.
import Module from 'node:module';
import v8 from 'node:v8';

/**
 * How far V8 lets the old generation grow past what its last full collection kept, before the
 * next one. Left to itself, with GC this cheap, V8 lets it reach up to four times that: under a
 * steady load, whose short-lived garbage survives the young generation's collections at about
 * 8 MB/s, the heap climbs from ~100 MB live to 300–380 MB before each full collection. At 1.5×
 * it stays under ~170 MB, for some 10 full collections a minute more (each a 10–20 ms pause).
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Sets V8's heap growing factor (read at every full collection, so it applies from the next one),
 * unless the command line or NODE_OPTIONS sets it already.
 */
export function limitHeapGrowth(
  args: string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)],
): void {
  if (args.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

type Compile = (this: Module, content: string, filename: string, ...rest: unknown[]) => unknown;

const DEPENDENCY = /[\\/](node_modules|\.next)[\\/]/;
const SOURCE_MAP_COMMENT = '//# sourceMappingURL=';

/**
 * tsx turns Node's source maps on for the whole process, so that stack traces point into our
 * TypeScript. Node then also parses and keeps, for as long as the process lives, the source map of
 * every CommonJS file it loads with a `//# sourceMappingURL=` comment, sources and all: Next.js's
 * runtime, the .next chunks and Prisma's client held 27 MB of the 106 MB of heap at idle (more as
 * routes load), maps that `next start` never loads, as it runs without source maps.
 *
 * From now on, CommonJS files under node_modules or .next are compiled without that comment, so
 * Node keeps no map for them; server.ts and lib/ (ES modules through tsx) stay mapped. Production
 * only: in development, Next.js's error overlay and stack traces rely on them.
 */
export function skipDependencySourceMaps(): void {
  const proto = Module.prototype as unknown as { _compile: Compile };
  const compile = proto._compile;
  proto._compile = function (content, filename, ...rest) {
    if (DEPENDENCY.test(filename)) {
      const at = content.lastIndexOf(SOURCE_MAP_COMMENT);
      // Only the comment on the file's last line, the one Node would read.
      if (at >= 0 && /^\S*\s*$/.test(content.slice(at + SOURCE_MAP_COMMENT.length))) {
        content = content.slice(0, at);
      }
    }
    return compile.call(this, content, filename, ...rest);
  };
}
