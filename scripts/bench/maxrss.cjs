// Preloaded into the CLI by the benchmark (`node --require`): writes the process's peak resident memory (KB) to the
// file named by MODEL_AUDIT_BENCH_RSS when it exits.
const { writeFileSync } = require('node:fs');

const target = process.env.MODEL_AUDIT_BENCH_RSS;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
