// /v1 routes: Products and variants, bundles and multipacks, channels, listings and catalog problems.

import type { FastifyInstance } from 'fastify';
import type { Truestock } from '../app/truestock.ts';
import type { RouteKit } from './routes.ts';

export function registerCatalogRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {}
