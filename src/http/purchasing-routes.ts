// /v1 routes: Purchase orders and transfers between locations.

import type { FastifyInstance } from 'fastify';
import type { Truestock } from '../app/truestock.ts';
import type { RouteKit } from './routes.ts';

export function registerPurchasingRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {}
