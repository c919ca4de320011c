// Preloaded (`node --require`) into every emulator process the local stack starts. The emulators
// run in their own process groups so that stop() can kill each one with all it spawned; the price
// is that a Ctrl-C or a crash of the parent no longer reaches them. This makes each one exit
// as soon as the process that started it is gone, so no emulator outlives its test run.
'use strict';
/* global setInterval */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 500).unref();
