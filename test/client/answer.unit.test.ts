/**
 * What the client reads as the router's rejection. A single Lambda target's response comes back
 * unchanged; one that merely looks like an error must stay the answer of a delivered event.
 */
import { acceptedAnswer } from '../../src/client/answer';
import { PsarnError } from '../../src/errors';
import { psarnOf } from '../support/routes';

const P = psarnOf('/event/a');

it("turns the router's rejection of the psARN sent into its typed error", () => {
  expect(() =>
    acceptedAnswer({ psarn: P, error: { code: 'ROUTE_NOT_FOUND', message: 'no route' } }, P),
  ).toThrow(PsarnError);
});

it("returns a target's own error-shaped response unchanged (the event was delivered)", () => {
  const lookalikes: unknown[] = [
    { error: { code: 'INVALID_PAYLOAD', message: 'target says no' } },
    { psarn: psarnOf('/event/other'), error: { code: 'INVALID_PAYLOAD', message: 'x' } },
    { psarn: P, error: { code: 'INVALID_PAYLOAD', message: 'x' }, orderId: 7 },
    { psarn: P, error: { code: 'constructor', message: 'x' } },
    { psarn: P, error: { code: 'INVALID_PAYLOAD', message: 'x', detail: 1 } },
    [{ psarn: P, error: { code: 'INVALID_PAYLOAD', message: 'x' } }],
  ];
  for (const answer of lookalikes) expect(acceptedAnswer(answer, P)).toBe(answer);
});
