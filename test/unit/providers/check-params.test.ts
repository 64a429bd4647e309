import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build.js';
import { providerProblems } from '../../../src/providers/check-params.js';
import { loadSpec } from '../../../src/spec/load.js';
import { tempDir, writeSpec } from '../../helpers/cli.js';

function problems(yaml: string): string[] {
  const file = writeSpec(yaml, tempDir());
  const loaded = loadSpec(file, { env: {} });
  return providerProblems(loaded, buildPlan(loaded)).map((p) => p.replace(file, 'spec.yaml'));
}

describe('providerProblems', () => {
  it('reports each problem once (cells share keys), in file order, at the key or the config it concerns', () => {
    expect(
      problems(`target:
  provider: http
  base_url: http://127.0.0.1:9
  http:
    body: { q: "{{prompt}}", n: "{{param.max_tokens}}" }
    paths: { text: out }
prompts: ["Hi"]
matrix:
  top_p: [0.5, 0.9]
  seed: [1, 2]
`),
    ).toEqual([
      "spec.yaml:5:11: target.http uses {{param.max_tokens}}, but no params or matrix key 'max_tokens' gives it a value",
      "spec.yaml:9:3: provider 'http' would not send 'top_p': target.http.body has no {{param.top_p}} (or {{params}}) placeholder",
      "spec.yaml:10:3: provider 'http' would not send 'seed': target.http.body has no {{param.seed}} (or {{params}}) placeholder",
    ]);
  });

  it('a missing required key points at params; builtin needs an OpenAI provider; the openai providers check nothing', () => {
    expect(
      problems(`target: { provider: ollama, base_url: "http://127.0.0.1:9" }
prompts: ["Hi"]
params: { max_tokens: 8 }
`),
    ).toEqual(["spec.yaml:3:9: provider 'ollama' needs 'model' in params or the matrix: Ollama requires it (e.g. llama3.2)"]);
    expect(
      problems(`target: { provider: tgi, base_url: builtin }
prompts: ["Hi"]
`),
    ).toEqual([
      "spec.yaml:1:36: base_url: builtin starts the bundled simulator, which speaks the OpenAI API (and Triton's generate extension and gRPC API); provider 'tgi' cannot talk to it (use openai-chat, openai-completions, triton or triton-grpc, or give the server's URL)",
    ]);
    expect(
      problems(`target: { provider: openai-chat, base_url: "http://127.0.0.1:9/v1" }
prompts: ["Hi"]
params: { anything_at_all: 1 }
`),
    ).toEqual([]);
  });
});
