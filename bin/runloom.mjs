#!/usr/bin/env node
// The compiled CLI (`npm run build`, run by `npm install` in a clone through `prepare`): no
// TypeScript loader at run time.
try {
  await import('../dist/src/cli/main.js');
} catch (error) {
  // Only the entry point itself missing means "not built"; any other failure is the CLI's own.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/src/cli/main.js')) throw error;
  process.stderr.write('runloom is not built: run `npm run build` (npm install does it in a clone)\n');
  process.exitCode = 1;
}
