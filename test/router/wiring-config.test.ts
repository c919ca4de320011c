import { routerConfigFromEnv } from '../../src/router/wiring';

describe('routerConfigFromEnv: PSARN_CACHE_MAX_ROUTES', () => {
  const base = { PSARN_TABLE: 't' };

  it('bounds the route cache at 10,000 entries unless told otherwise', () => {
    expect(routerConfigFromEnv(base).maxCachedRoutes).toBe(10_000);
    expect(routerConfigFromEnv({ ...base, PSARN_CACHE_MAX_ROUTES: '' }).maxCachedRoutes).toBe(10_000);
    expect(routerConfigFromEnv({ ...base, PSARN_CACHE_MAX_ROUTES: '2500' }).maxCachedRoutes).toBe(2500);
  });

  it.each(['0', '-1', '1.5', 'many'])('refuses %p at start rather than run unbounded', (value) => {
    expect(() => routerConfigFromEnv({ ...base, PSARN_CACHE_MAX_ROUTES: value })).toThrow(
      'PSARN_CACHE_MAX_ROUTES',
    );
  });
});
