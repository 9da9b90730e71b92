// Products and their variants. A product names the options its variants differ by (Size,
// Color); each variant is an item with the product's id and one value per option.

import { checkProductInput, type Product, type ProductInput } from '../domain/catalog-rules.ts';
import { refusal, type Refusal } from '../domain/errors.ts';
import * as repo from '../store/catalog-repo.ts';
import type { Db } from '../store/store.ts';
import { catalogId } from './catalog.ts';
import type { Written } from './idempotent.ts';
import { iso, itemView } from './views.ts';

export type ProductCreate = ProductInput;
export type ProductPatch = Partial<Omit<ProductInput, 'handle'>>;

/** Variants shown with a product. Shopify's own ceiling is 2,048 per product. */
export const PRODUCT_VARIANTS_SHOWN_MAX = 2_048;

export function productView(p: Product) {
  return {
    id: p.id,
    handle: p.handle,
    name: p.name,
    option_names: p.optionNames,
    archived: p.archived,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

export async function createProduct(db: Db, workspaceId: string, input: ProductInput, now: number): Promise<Written | Refusal> {
  const bad = checkProductInput(input);
  if (bad) return bad;
  const taken = await repo.getProductByHandle(db, workspaceId, input.handle);
  if (taken) return refusal('product_handle_taken', `a product with handle ${JSON.stringify(input.handle)} already exists (${taken.id})`, 'handle', { product_id: taken.id });
  const product: Product = {
    id: catalogId('prod', now),
    workspaceId,
    handle: input.handle,
    name: input.name,
    optionNames: input.option_names ?? [],
    archived: input.archived ?? false,
    createdAt: now,
    updatedAt: now,
  };
  await repo.insertProduct(db, product);
  return { status: 201, body: { product: productView(product), variants: [] } };
}

/** A product with its variants (by SKU), or undefined. */
export async function productWithVariants(db: Db, workspaceId: string, id: string) {
  const product = await repo.getProduct(db, workspaceId, id);
  if (!product) return undefined;
  const variants = await repo.variantsOf(db, workspaceId, product.id, PRODUCT_VARIANTS_SHOWN_MAX);
  return { product: productView(product), variants: variants.map(itemView) };
}

/**
 * The handle is how channels and people refer to a product, so it stays. Option names can change
 * only while the product has no variants: each variant's options must keep matching them.
 */
export async function updateProduct(db: Db, workspaceId: string, id: string, patch: ProductPatch, now: number): Promise<Written | Refusal> {
  if ('handle' in patch) return refusal('validation_failed', 'handle cannot be changed; archive the product and create a new one', 'handle');
  const bad = checkProductInput(patch, true);
  if (bad) return bad;
  const product = await repo.getProduct(db, workspaceId, id);
  if (!product) return refusal('not_found', `no product ${id}`);
  const optionNames = patch.option_names ?? product.optionNames;
  const renamed = optionNames.length !== product.optionNames.length || optionNames.some((n, i) => n !== product.optionNames[i]);
  if (renamed && (await repo.variantsOf(db, workspaceId, product.id, 1)).length > 0) {
    return refusal('validation_failed', `option_names cannot change while ${product.handle} has variants`, 'option_names');
  }
  const next: Product = { ...product, name: patch.name ?? product.name, optionNames, archived: patch.archived ?? product.archived, updatedAt: now };
  await repo.updateProduct(db, next);
  const variants = await repo.variantsOf(db, workspaceId, product.id, PRODUCT_VARIANTS_SHOWN_MAX);
  return { status: 200, body: { product: productView(next), variants: variants.map(itemView) } };
}
