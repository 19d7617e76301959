#!/usr/bin/env node
// The `model-audit` command: runs the bundled CLI built by `npm run build` (the `prepare` script runs it on `npm ci`).
require('../dist/cli.js').main();
