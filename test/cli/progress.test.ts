import { progressBar } from '../../src/cli/progress';
import { captureIo } from '../support/cli';

describe('progressBar', () => {
  it('redraws one line with count, rate and ETA on a terminal', () => {
    const io = { ...captureIo(), isTty: true };
    let err = '';
    const tty = { ...io, stderr: (t: string) => void (err += t) };
    const bar = progressBar(tty, 100, 'draining', () => 0);
    bar.update(25, '', 5_000);
    expect(err).toBe('\r[#######.....................] draining 25/100 5.0/s ETA 15s\x1b[K');
    bar.finish();
    expect(err.endsWith('\r\x1b[K')).toBe(true);
  });

  it('prints a line per quarter in a log, and the last one with ETA 0', () => {
    let err = '';
    const io = { ...captureIo(), stderr: (t: string) => void (err += t) };
    const bar = progressBar(io, 8, 'draining', () => 0);
    for (let done = 1; done <= 8; done++) bar.update(done, '', done * 1000);
    expect(err.split('\n').filter(Boolean)).toEqual([
      'draining 2/8 1.0/s ETA 6s',
      'draining 4/8 1.0/s ETA 4s',
      'draining 6/8 1.0/s ETA 2s',
      'draining 8/8 1.0/s ETA 0s',
    ]);
  });
});
