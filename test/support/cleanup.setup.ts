/** Vitest setup for every tier: the scratch folders a test file made are removed when it ends. */
import { afterAll } from 'vitest';
import { removeScratch } from './scratch.ts';

afterAll(removeScratch);
