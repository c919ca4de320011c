import { checkPayloadContract, schemaProblem } from '../../src/contracts/payload-contract';
import { MAX_SCHEMA_BYTES, MAX_SCHEMA_DEPTH } from '../../src/contracts/schema-limits';
import { ERROR_KINDS, PayloadInvalidError } from '../../src/errors';
import { route, sqsArn, split } from '../support/routes';

const newUser = {
  type: 'object',
  required: ['userId'],
  properties: { userId: { type: 'string', minLength: 1 }, age: { type: 'integer', minimum: 0 } },
  additionalProperties: false,
};
const withSchema = (schema: unknown) =>
  route('/event/contract', {
    targets: [split(sqsArn('q'), 1)],
    schema: schema as never,
    onInvalid: 'reject',
  });

describe('payload contracts', () => {
  it('lets a conforming payload through', () => {
    expect(checkPayloadContract(withSchema(newUser), { userId: 'u1', age: 3 })).toBeUndefined();
  });

  it('rejects a non-conforming payload with the JSON pointer of the problem, HTTP 422', () => {
    const problem = checkPayloadContract(withSchema(newUser), { userId: 'u1', age: -1 });
    expect(problem).toBeInstanceOf(PayloadInvalidError);
    expect(problem?.code).toBe('PAYLOAD_INVALID');
    expect(ERROR_KINDS.PAYLOAD_INVALID.http).toBe(422);
    expect(problem?.context['problems']).toEqual([{ pointer: '/age', message: 'must be >= 0' }]);
    expect(problem?.message).toContain('/age must be >= 0');
  });

  it('judges payloads that are not objects by the schema too (an array, a string, null)', () => {
    const r = withSchema(newUser);
    for (const payload of [[1, 2], 'text', null, 42]) {
      expect(checkPayloadContract(r, payload)?.context['problems']).toEqual([
        { pointer: '', message: 'must be object' },
      ]);
    }
  });

  it('keeps the message bounded when the producer sends huge keys', () => {
    const key = 'k'.repeat(100_000);
    const problem = checkPayloadContract(
      withSchema({ type: 'object', additionalProperties: { type: 'string' } }),
      { [key]: 1 },
    );
    expect(problem?.message.length).toBeLessThan(2_000);
  });

  it('refuses, rather than crashes on, a payload too deep for a recursive schema', () => {
    const tree = {
      $ref: '#/definitions/node',
      definitions: { node: { type: 'array', items: { $ref: '#/definitions/node' } } },
    };
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const problem = checkPayloadContract(withSchema(tree), deep);
    expect(problem?.code).toBe('PAYLOAD_INVALID');
  });

  it('refuses every payload of a stored route whose schema cannot compile, saying why', () => {
    const problem = checkPayloadContract(withSchema({ type: 'object', requried: ['x'] }), {});
    expect(problem?.message).toContain('unknown keyword');
  });

  it('costs nothing for a route without a schema', () => {
    expect(
      checkPayloadContract(route('/event/plain', { targets: [split(sqsArn('q'), 1)] }), 'anything'),
    ).toBeUndefined();
  });
});

describe('schemas that are refused at validate time', () => {
  it.each([
    ['a remote $ref', { $ref: 'https://example.com/user.json' }, 'must point inside the schema'],
    ['a file $ref', { properties: { a: { $ref: 'other.json#/x' } } }, 'must point inside the schema'],
    ['an unknown keyword (typo)', { type: 'object', requried: ['a'] }, 'unknown keyword: "requried"'],
    ['an unsupported format', { type: 'string', format: 'email' }, 'unknown format "email"'],
    [
      'a pattern that is no regular expression',
      { type: 'string', pattern: '((' },
      'Invalid regular expression',
    ],
    ['a $ref to a missing definition', { $ref: '#/definitions/nope' }, "can't resolve reference"],
    ['not an object', [1, 2], 'must be a JSON Schema object'],
  ])('%s', (_, schema, message) => {
    expect(schemaProblem(schema)).toContain(message);
  });

  it('a schema over the size limit', () => {
    const properties = Object.fromEntries(
      Array.from({ length: 2_000 }, (_, i) => [`field${i}`, { type: 'string', description: 'x'.repeat(10) }]),
    );
    expect(JSON.stringify({ properties }).length).toBeGreaterThan(MAX_SCHEMA_BYTES);
    expect(schemaProblem({ type: 'object', properties })).toContain(`at most ${MAX_SCHEMA_BYTES}`);
  });

  it('a schema nested deeper than the limit', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < MAX_SCHEMA_DEPTH; i++) schema = { type: 'object', properties: { a: schema } };
    expect(schemaProblem(schema)).toContain(`deeper than ${MAX_SCHEMA_DEPTH}`);
  });

  it('accepts a schema with local definitions', () => {
    expect(
      schemaProblem({
        $ref: '#/definitions/user',
        definitions: { user: { type: 'object', required: ['id'] } },
      }),
    ).toBeUndefined();
  });
});
