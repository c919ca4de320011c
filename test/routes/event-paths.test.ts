import fc from 'fast-check';
import { parseRouteSource } from '../../src/routes/load';
import { compileEventPath } from '../../src/routing/event-path';
import { CONTEXT, PSARN, SQS, yaml } from './fixtures';

function routerReads(path: string): boolean {
  try {
    compileEventPath(path);
    return true;
  } catch {
    return false;
  }
}

function validatorAccepts(path: string): boolean {
  const text = yaml(
    `psarn: ${PSARN}:/a`,
    `targets: [{ arn: "${SQS}:a.fifo", groupBy: ${JSON.stringify(path)} }]`,
    `stickyBy: ${JSON.stringify(path)}`,
  );
  return parseRouteSource('r.yml', text, CONTEXT).issues.length === 0;
}

describe('event paths in route files', () => {
  it('are accepted exactly when the router can read them', () => {
    const word = fc.constantFrom('payload', 'headers', 'userId', 'X-Tenant', '0', 'a b', '');
    const path = fc.array(word, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));
    fc.assert(
      fc.property(path, (p) => {
        expect(validatorAccepts(p)).toBe(routerReads(p));
      }),
    );
  });
});
