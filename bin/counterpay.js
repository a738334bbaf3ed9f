#!/usr/bin/env node
// The operator CLI. Node 20 cannot run TypeScript itself, so tsx compiles on the fly.
import { register } from 'tsx/esm/api';

register();
await import('../api/operator/cli.ts');
