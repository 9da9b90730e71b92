// The route table: one page module per screen. A new screen (a channel's own settings, a new
// document flow) is one new module and one line here; `nav` puts it in the menu.

import type { ComponentType } from 'react';
import { AlertsPage } from './pages/alerts.tsx';
import { AuditPage } from './pages/audit.tsx';
import { CatalogProblemsPage } from './pages/catalog-problems.tsx';
import { ChannelPage } from './pages/channel.tsx';
import { ChannelRulesPage } from './pages/channel-rules.tsx';
import { ChannelsPage } from './pages/channels.tsx';
import { CountPage } from './pages/count.tsx';
import { CountsPage } from './pages/counts.tsx';
import { ExceptionsPage } from './pages/exceptions.tsx';
import { ImportsPage } from './pages/imports.tsx';
import { ItemPage } from './pages/item.tsx';
import { ItemsPage } from './pages/items.tsx';
import { OrderPage } from './pages/order.tsx';
import { OrdersPage } from './pages/orders.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { ReceivingPage } from './pages/receiving.tsx';
import { ReturnsPage } from './pages/returns.tsx';
import { TransfersPage } from './pages/transfers.tsx';
import { WorkspacesPage } from './pages/workspaces.tsx';

export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Route {
  path: string;
  page: ComponentType<PageProps>;
  /** Shown in the menu under this name; the menu entry is current for its sub-paths too. */
  nav?: string;
  /** The server administrator's screens: the only ones they see, and no workspace's user sees them. */
  serverAdmin?: boolean;
}

export const ROUTES: Route[] = [
  { path: '/', page: OverviewPage, nav: 'Overview' },
  { path: '/items', page: ItemsPage, nav: 'Items' },
  { path: '/items/:sku', page: ItemPage },
  { path: '/channels', page: ChannelsPage, nav: 'Channels' },
  { path: '/channels/:id', page: ChannelPage },
  { path: '/channels/:id/rules', page: ChannelRulesPage },
  { path: '/catalog-problems', page: CatalogProblemsPage, nav: 'Catalog problems' },
  { path: '/imports', page: ImportsPage, nav: 'Import and export' },
  { path: '/orders', page: OrdersPage, nav: 'Orders' },
  { path: '/orders/:id', page: OrderPage },
  { path: '/exceptions', page: ExceptionsPage, nav: 'Exceptions' },
  { path: '/receiving', page: ReceivingPage, nav: 'Receiving' },
  { path: '/returns', page: ReturnsPage, nav: 'Returns' },
  { path: '/transfers', page: TransfersPage, nav: 'Transfers' },
  { path: '/counts', page: CountsPage, nav: 'Counts' },
  { path: '/counts/:id', page: CountPage },
  { path: '/alerts', page: AlertsPage, nav: 'Alerts' },
  { path: '/audit', page: AuditPage, nav: 'Audit log' },
  { path: '/workspaces', page: WorkspacesPage, nav: 'Workspaces', serverAdmin: true },
];
