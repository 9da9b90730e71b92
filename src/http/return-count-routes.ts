// /v1 routes: Returns with inspection, and cycle counts.

import type { FastifyInstance } from 'fastify';
import type { Truestock } from '../app/truestock.ts';
import type { RouteKit } from './routes.ts';

export function registerReturnAndCountRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {}
