// fauxqs without its request log: its CLI (fauxqs 2.4) starts with `logger: true` whatever
// FAUXQS_LOGGER says, two log lines per request, which would be timed as SQS latency. The bench
// starts this instead for every SQS figure (bench/fauxqs-quiet.ts).
import { startFauxqs } from 'fauxqs';

await startFauxqs({
  logger: false,
  port: Number(process.env.FAUXQS_PORT),
  defaultRegion: process.env.FAUXQS_DEFAULT_REGION,
});
