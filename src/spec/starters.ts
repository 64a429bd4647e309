/**
 * The starter specs `llm-sweep init` writes: one for the bundled simulator (runs anywhere,
 * no key, no server) and one for an OpenAI-compatible server. Kept as text so every comment
 * reaches the user; a test validates both with the real loader.
 */

const SCHEMA_LINE =
  '# yaml-language-server: $schema=https://raw.githubusercontent.com/llm-sweep/llm-sweep/main/docs/spec.schema.json';

export interface Starter {
  /** File name written into the init folder. */
  file: string;
  /** What it is, for the summary init prints. */
  about: string;
  text: string;
}

const SIMULATOR = `${SCHEMA_LINE}
#
# A first sweep against the simulator bundled with llm-sweep: no GPU, no key, no server.
#   llm-sweep run sweep.yaml           # about 15 s; prints a table, writes results/
#   llm-sweep plan sweep.yaml          # the cells and request counts; sends nothing
# \`llm-sweep schema\` prints the JSON Schema the line above points editors at.

name: starter                      # names the results folder: results/starter/<timestamp>/
description: concurrency x output length on the bundled simulator

target:
  provider: openai-chat            # the simulator speaks the OpenAI chat API
  base_url: builtin                # start the simulator on a free loopback port
  simulator:                       # its latency model
    ttft_ms: 60                    # base time to first token
    itl_ms: 4                      # time between output tokens for a lone sequence
    max_batch: 4                   # sequences decoded together; the rest wait in a queue

# Requests of a cell go round-robin over the prompts.
prompts:
  - "Explain the KV cache in one paragraph."
  - "Write a haiku about GPUs."

params:                            # fixed request body fields
  model: sim-7b
  temperature: 0

# Every key is an axis; the cells are their cartesian product. concurrency (and rate,
# stream) set the load; every other key goes into the request body.
matrix:
  max_tokens: [16, 64]
  concurrency: [1, 4, 16]          # requests in flight; past max_batch, latency climbs

requests: 16                       # per cell (or duration_s: 30)
warmup: 1                          # per cell, sent first, not recorded

slo: { ttft_ms: 500 }              # the SLO column: share of requests meeting it

thresholds:                        # checked per cell; \`run\` exits 1 when one fails
  error_rate: "< 0.01"
  latency_ms.p95: "< 5000"
`;

const SERVER = `${SCHEMA_LINE}
#
# Your own OpenAI-compatible server: vLLM, SGLang, llama.cpp's llama-server, LM Studio,
# a gateway. Set the URL and the model, then:
#   export OPENAI_BASE_URL=http://localhost:8000/v1
#   llm-sweep validate server.yaml     # every problem at once, as file:line:col
#   llm-sweep plan server.yaml         # the cells and request counts; sends nothing
#   llm-sweep run server.yaml

name: my-server
description: concurrency x output length on an OpenAI-compatible server

target:
  provider: openai-chat            # or openai-completions for /v1/completions
  # The base URL as the OpenAI SDK takes it: it ends in /v1; the provider appends
  # /chat/completions. \${VAR:-default} reads the environment, with a default.
  base_url: \${OPENAI_BASE_URL:-http://localhost:8000/v1}
  # A key is always a \${VAR}, never written here; it never reaches a file or a log line.
  api_key: \${OPENAI_API_KEY:-none}
  timeout: { connect_ms: 5000, read_ms: 60000 }   # read_ms: longest silence in a stream
  retry: { retries: 2 }            # 429, 5xx and network errors; other 4xx never

prompts:
  - "Explain the KV cache in one paragraph."
  - "Write a Python function that merges two sorted lists, with a docstring."
  # Or many at once from a file next to this spec (.txt, .jsonl or .csv):
  # - { file: prompts.jsonl }

params:
  model: \${MODEL:-Qwen/Qwen2.5-7B-Instruct}   # the served model name
  temperature: 0

matrix:
  max_tokens: [128, 512]
  concurrency: [1, 8, 32]
  # Open loop instead: Poisson arrivals at a rate (requests/s); "inf" sends all at once.
  # rate: [2, 8, inf]

requests: 32                       # per cell (or duration_s: 60)
warmup: 2

slo: { ttft_ms: 500, tpot_ms: 50 } # the SLO column: share of requests meeting both

thresholds:
  error_rate: "< 0.01"
  ttft_ms.p95: "< 2000"

output: { formats: [csv, json, html] }   # add xlsx for a spreadsheet with typed cells
`;

export const STARTERS: readonly Starter[] = [
  { file: 'sweep.yaml', about: 'the bundled simulator: runs now, no server, no key', text: SIMULATOR },
  { file: 'server.yaml', about: 'an OpenAI-compatible server (vLLM, SGLang, llama-server, ...)', text: SERVER },
];
