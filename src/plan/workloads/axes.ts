/**
 * The matrix keys that set a cell's workload, in a module of their own: spec/params.ts needs
 * them to check a matrix, and through it every provider's target schema. Defined next to the
 * workload schema they would pull in the dataset and trace readers (and csv-parse) wherever a
 * provider is loaded, a worker thread included.
 */
import { z } from 'zod';
import { distributionSchema, DURATION_MS, TOKEN_COUNT, tokenCountSchema } from './distribution.js';
import { MAX_PREFIXES } from './prefix.js';

/**
 * Matrix keys that set the workload per cell instead of going into the request body, with
 * the schema each value must fit.
 */
export const WORKLOAD_AXES = {
  input_tokens: { schema: distributionSchema(TOKEN_COUNT), description: 'Prompt length, tokens (a number or a distribution); overrides the workload\'s.' },
  output_tokens: { schema: distributionSchema(TOKEN_COUNT), description: 'Output length asked for, tokens (a number or a distribution); overrides the workload\'s.' },
  prefix_tokens: { schema: tokenCountSchema(), description: 'Length of the shared prefix, tokens; overrides prefix.tokens.' },
  prefix_count: { schema: z.number().int().positive().max(MAX_PREFIXES), description: 'Number of distinct shared prefixes; overrides prefix.count.' },
  turns: { schema: distributionSchema(TOKEN_COUNT), description: 'User turns per session; overrides conversation.turns.' },
  think_time_ms: { schema: distributionSchema(DURATION_MS), description: 'Pause between turns, ms; overrides conversation.think_time_ms.' },
  speedup: { schema: z.number().positive(), description: 'Trace replay speed-up; overrides trace.speedup.' },
} as const;
export type WorkloadAxis = keyof typeof WORKLOAD_AXES;
export const WORKLOAD_KEYS = Object.keys(WORKLOAD_AXES) as WorkloadAxis[];

export function isWorkloadKey(key: string): key is WorkloadAxis {
  return Object.hasOwn(WORKLOAD_AXES, key);
}
