import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** The llama.cpp server's GET /metrics, recorded (2026-08 build, `-np 4 --metrics`). */
export const llamaRecording = readFileSync(`${root}wire/llama-server-2026-08/metrics.txt`, 'utf8');

/** A vLLM V1 exposition in the format its docs show (see test/fixtures/metrics/README.md). */
export const vllmSample = readFileSync(`${root}metrics/vllm-v1.txt`, 'utf8');
