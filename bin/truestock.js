#!/usr/bin/env node
// The `truestock` command: load TypeScript through tsx, then run the CLI. The path is resolved
// from this file, so it works from any working directory and through npm's bin symlink.

import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
