/**
 * Top self-time functions of V8 CPU profiles, with their source line.
 *
 *   node --import tsx bench/engine.bench.ts --only memory-W1 --profile /tmp/prof   (measured reps only)
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/engine.bench.ts --only memory-W1   (whole process)
 *   node --import tsx bench/profile-top.ts /tmp/prof/*.cpuprofile [--top 25] [--inclusive]
 */
import { analyse } from './lib/cpu-profile.js';

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;
const files = args.filter((a, i) => a.endsWith('.cpuprofile') && i !== topIndex + 1);
if (files.length === 0) {
  console.error('usage: node --import tsx bench/profile-top.ts <file.cpuprofile>… [--top N] [--inclusive]');
  process.exitCode = 1;
}
for (const file of files) {
  analyse(file, { top, inclusive: args.includes('--inclusive') });
}
