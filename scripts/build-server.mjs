// Bundles the server (src/main.ts and everything it imports from src/) into dist/server/main.mjs with
// esbuild; npm packages stay external and load from node_modules, except TypeBox (see below). `npm start`
// runs the bundle: loading ~400 TypeScript files through the tsx loader on every start cost about 1.5 s of
// the 3 s start-up budget.
// With --if-stale it skips the build when the bundle is newer than every source file and the lock file,
// so a `git pull` or an edit still rebuilds (in well under a second).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const outfile = path.join(root, 'dist', 'server', 'main.mjs');

function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

const lock = path.join(root, 'package-lock.json');
const sources = Math.max(newest(src), fs.existsSync(lock) ? fs.statSync(lock).mtimeMs : 0);
if (process.argv.includes('--if-stale') && fs.existsSync(outfile) && fs.statSync(outfile).mtimeMs >= sources) process.exit(0);

// TypeBox is 700 small ES modules: resolving and loading them one by one took ~0.25 s of every start, as
// one inlined copy it costs a few ms. Its Fastify type provider comes along so that only one copy loads.
const inline = [/^typebox(\/|$)/, /^@fastify\/type-provider-typebox(\/|$)/];
const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (inline.some((r) => r.test(args.path)) ? undefined : { path: args.path, external: true }));
  },
};

const { build } = await import('esbuild');
await build({
  entryPoints: [path.join(src, 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [externals],
  // Stack traces point at src/*.ts (node --enable-source-maps).
  sourcemap: true,
  logLevel: 'warning',
});
