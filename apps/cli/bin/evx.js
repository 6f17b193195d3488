#!/usr/bin/env node
// The CLI is TypeScript compiled by the root build (`npm install` runs it); this shim only finds the output.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const main = fileURLToPath(new URL('../../../dist/apps/cli/src/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('evx: the project is not built yet; run `npm run build` in the repository root');
  process.exit(2);
}
await import(pathToFileURL(main).href);
