#!/usr/bin/env node
'use strict';
/* global process, console */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point: require is how it loads tsx */
// The CLI is TypeScript run through tsx, like `npm start`: no build step between a checkout and
// `npx golive`. tsx/cjs registers the loader for everything required after it.
require('tsx/cjs');
const { main } = require('../src/cli/main.ts');

// A reader that stops early (`golive reports | head`) closes the pipe: the end of the output,
// not an error to print a stack trace for.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    // exitCode, not exit(): let stdout drain when it is a pipe.
    process.exitCode = code;
  },
  (err) => {
    console.error('golive: internal error:', err);
    process.exitCode = 1;
  },
);
