import { describe, expect, it } from 'vitest';
import { matchRoute, route } from './routes.ts';

const ROUTES = [route('GET', '/items/count', 'countItems'), route('GET', '/items/{sku}', 'getItem'), route('PUT', '/items/{sku}/stock/{node}', 'putStock')];

describe('route, matchRoute', () => {
  it('finds the first route in order and decodes its path parameters', () => {
    expect(matchRoute(ROUTES, 'GET', '/items/count').found?.route.operation).toBe('countItems');
    const m = matchRoute(ROUTES, 'PUT', '/items/A%2FB/stock/n%201');
    expect(m.found?.route.operation).toBe('putStock');
    expect(m.found?.params).toEqual({ sku: 'A/B', node: 'n 1' });
  });

  it('tells a path served by another method from an unknown path', () => {
    expect(matchRoute(ROUTES, 'DELETE', '/items/x')).toEqual({ found: undefined, pathKnown: true });
    expect(matchRoute(ROUTES, 'GET', '/items/x/more')).toEqual({ found: undefined, pathKnown: false });
    expect(matchRoute(ROUTES, 'GET', '/items/')).toEqual({ found: undefined, pathKnown: false });
  });
});
