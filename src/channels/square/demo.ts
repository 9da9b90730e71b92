// Placeholder until the Square emulator lands (emulators/square, branch square-emu).
import type { DemoStorefrontFactory } from '../demo-storefront.ts';
export const squareDemo: DemoStorefrontFactory = undefined as unknown as DemoStorefrontFactory;
