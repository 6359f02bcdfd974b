#!/usr/bin/env node
// The `keystone` command. The CLI is TypeScript run through tsx's loader, so a checkout works
// right after `npm ci` with no build step.
// DuckDB runs each query on one of libuv's worker threads, which file I/O and crypto share; the
// default of 4 lets three long queries starve the rest. Must be set before the pool first starts.
process.env.UV_THREADPOOL_SIZE ??= '12';

const { register } = await import('tsx/esm/api');

register();
await import('../cli/main.ts');
