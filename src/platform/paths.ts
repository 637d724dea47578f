import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project folder (the one holding package.json). Files next to the code (migrations, the built web
 * app) are found from here rather than relative to this module, because `npm start` runs a bundle in
 * dist/server while tests and tsx run the sources in src/ — the same relative path cannot serve both.
 */
function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'migrations'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`SafeLoop's project folder (package.json + migrations/) not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export const projectRoot = findProjectRoot();
