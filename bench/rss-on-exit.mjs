/* global process */
// Loaded with --import into a child process: prints its peak RSS (KiB) to stderr when it exits.
process.on('exit', () => {
  process.stderr.write(`\nshipshape-bench-maxrss-kb ${process.resourceUsage().maxRSS}\n`);
});
