// Builds the web app into web/dist. With --if-stale it skips the build when dist is newer than every
// source file, so `npm start` after `npm install` is instant and a `git pull` still rebuilds.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const web = path.join(root, 'web');
const dist = path.join(web, 'dist', 'index.html');

function newest(dir) {
  let t = 0;
  if (!fs.existsSync(dir)) return t;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

if (!fs.existsSync(path.join(web, 'index.html'))) process.exit(0);
// An upgraded dependency (antd, react…) changes the output too, so the lock file counts as a source.
const lock = path.join(root, 'package-lock.json');
const sources = Math.max(newest(web), fs.existsSync(lock) ? fs.statSync(lock).mtimeMs : 0);
if (process.argv.includes('--if-stale') && fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= sources) process.exit(0);
console.log('Building the web app (first start only)…');
const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
process.exit(r.status ?? 1);
