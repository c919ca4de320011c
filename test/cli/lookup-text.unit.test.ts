/**
 * `psarn lookup` prints route text that nobody reviewed (a consumer's registration can create a
 * route with its own description): control characters must not reach the operator's terminal.
 */
import { describe as describeAnswer } from '../../src/cli/lookup';
import { psarnOf } from '../support/routes';

it('prints a description with terminal escapes as plain text', () => {
  const text = describeAnswer({
    psarn: psarnOf('/event/x'),
    release: 3,
    description: 'orders \u001b]52;c;cm0gLXJmIH4=\u0007 and \u001b[2J done\nsecond line',
    ttl: 60,
    split: [],
    fanout: [],
    parked: false,
    onFailure: 'dlq',
  });
  // Line breaks of the layout itself are fine; no ESC, BEL or other control character is.
  expect([...text].filter((c) => c !== '\n' && (c < ' ' || c === '\u007f'))).toEqual([]);
  expect(text).toContain('orders ?]52;c;cm0gLXJmIH4=? and ?[2J done?second line');
});
