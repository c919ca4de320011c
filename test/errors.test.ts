import { PsarnError, RouteNotFoundError, describeError, ErrorCode } from '../src/errors';

describe('PsarnError', () => {
  it('carries a stable code and the context a user needs', () => {
    const err = new RouteNotFoundError('arn:aws:psarns:eu-west-1:123456789012:/event/x');
    expect(err).toBeInstanceOf(PsarnError);
    expect(err.code).toBe(ErrorCode.ROUTE_NOT_FOUND);
    expect(err.name).toBe('RouteNotFoundError');
    expect(err.toJSON()).toEqual({
      code: 'ROUTE_NOT_FOUND',
      message: 'no route for arn:aws:psarns:eu-west-1:123456789012:/event/x in the live release',
      context: { psarn: 'arn:aws:psarns:eu-west-1:123456789012:/event/x' },
    });
  });

  it('describes foreign errors by name', () => {
    expect(describeError(new TypeError('boom'))).toEqual({ code: 'TypeError', message: 'boom' });
    expect(describeError('text')).toEqual({ code: 'UNKNOWN', message: 'text' });
  });
});
