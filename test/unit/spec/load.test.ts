import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { loadSpec } from '../../../src/spec/load.js';
import { nearest, editDistance } from '../../../src/spec/suggest.js';
import { load, MINIMAL, problems } from './helpers.js';

describe('a valid spec', () => {
  it('gets defaults for everything optional', () => {
    const loaded = load(MINIMAL);
    expect(loaded.name).toBe('t');
    expect(loaded.spec.target).toEqual({
      provider: 'openai-chat',
      base_url: 'http://127.0.0.1:8000/v1',
      headers: {},
      timeout: { connect_ms: 5000, read_ms: 30000 },
      retry: { retries: 3, on: [429, 500, 502, 503, 504, 529, 'network'], backoff_ms: 500, max_backoff_ms: 20000 },
      stream_usage: true,
    });
    expect(loaded.spec.matrix).toEqual({});
    expect(loaded.spec.params).toEqual({});
    expect(loaded.spec.warmup).toBe(0);
    expect(loaded.spec.output).toEqual({ dir: 'results', formats: ['csv', 'json', 'html'], save_responses: false });
    expect(loaded.warnings).toEqual([]);
  });

  it('keeps matrix axes and params in the order written', () => {
    const { spec } = load(`${MINIMAL}params: { top_p: 0.9, my_field: 1, model: m }
matrix:
  concurrency: [1, 4]
  custom_axis: [a, b]
  temperature: [0, 1]
  model: [x]
`);
    expect(Object.keys(spec.matrix)).toEqual(['concurrency', 'custom_axis', 'temperature', 'model']);
    expect(Object.keys(spec.params)).toEqual(['top_p', 'my_field', 'model']);
  });

  it('names the sweep after the file when name is missing', () => {
    const loaded = load(MINIMAL.replace('name: t\n', ''));
    expect(loaded.name).toBe('sweep');
  });

  it('accepts custom body parameters, and custom_params silences the spelling check', () => {
    expect(problems(`${MINIMAL}params: { top_n: 3 }\n`)).toEqual([
      "sweep.yaml:5:11: unknown key 'top_n' in params — did you mean 'top_p'?",
    ]);
    const { spec } = load(`${MINIMAL}custom_params: [top_n]\nparams: { top_n: 3, mirostat_tau: 5 }\n`);
    expect(spec.params).toEqual({ top_n: 3, mirostat_tau: 5 });
  });
});

describe('problems, each at its file:line:col', () => {
  it('a misspelt matrix key, with the nearest key (the format of docs/spec.md)', () => {
    expect(
      problems(`name: t
target:
  base_url: http://127.0.0.1:8000/v1
prompts: [hi]
matrix:
  model: [a]
  max_tokens: [64]
  temprature: [0, 0.7]
`),
    ).toEqual(["sweep.yaml:8:3: unknown key 'temprature' in matrix — did you mean 'temperature'?"]);
  });

  it('unknown keys in fixed sections, with a suggestion or the list of keys', () => {
    expect(problems(`${MINIMAL}requets: 3\nwarmpu: 1\nfoo: 1\n`)).toEqual([
      "sweep.yaml:5:1: unknown key 'requets' — did you mean 'requests'?",
      "sweep.yaml:6:1: unknown key 'warmpu' — did you mean 'warmup'?",
      "sweep.yaml:7:1: unknown key 'foo' (expected one of: name, description, target, targets, environments, prompts, tokenizer, params, custom_params, matrix, requests, duration_s, repeat, warmup, repeat_cells, order, workers, seed, arrival, burstiness, percentiles, slo, thresholds, search, compare, checks, pricing, budget, output)",
    ]);
  });

  it('wrong types, with what was found', () => {
    expect(
      problems(`name: t
target:
  base_url: http://127.0.0.1:8000/v1
  headers: [a]
  stream_usage: "yes"
prompts: hi
matrix:
  temperature: 0.7
  stream: [yes]
warmup: 1.5
`),
    ).toEqual([
      'sweep.yaml:4:12: target.headers must be a mapping, got a list',
      'sweep.yaml:5:17: target.stream_usage must be true or false, got the text "yes"',
      'sweep.yaml:6:10: prompts must be a list or a mapping, got the text "hi"',
      'sweep.yaml:8:16: matrix.temperature must be a list, got 0.7; write [0.7] for a single value',
      'sweep.yaml:9:12: matrix.stream[0] must be true or false, got the text "yes"',
      'sweep.yaml:10:9: warmup must be a whole number, got 1.5',
    ]);
  });

  it('an empty value points at its key', () => {
    expect(problems(`name: t\ntarget:\nprompts: [hi]\n`)).toEqual([
      'sweep.yaml:2:1: target must be a mapping, got an empty value',
    ]);
  });

  it('missing required keys, with what the field is for', () => {
    expect(problems(`name: t\ntarget: { provider: tgi }\n`)).toEqual([
      "sweep.yaml:1:1: missing required key 'prompts' — A list of prompts (sent round-robin), or a workload: synthetic prompts by token count, a dataset, chat sessions or a trace (docs/workloads.md).",
      "sweep.yaml:2:1: missing required key 'base_url' in target — The vendor SDK's base URL: ends in /v1 for OpenAI-style providers; the server root for anthropic, tgi, triton and ollama; 'builtin' spawns the bundled simulator.",
    ]);
  });

  it('numbers out of range, enums, bad URLs and names', () => {
    expect(
      problems(`name: my sweep
target:
  provider: vllm
  base_url: localhost:8000
prompts: [hi]
params: { temperature: -1, n: 0 }
matrix:
  concurrency: [0, 2.5]
  rate: [-1]
requests: 0
arrival: poison
`),
    ).toEqual([
      'sweep.yaml:1:7: name: use letters, digits, ".", "_" and "-" only (it names the results folder), got the text "my sweep"',
      'sweep.yaml:3:13: target.provider must be one of "openai-chat", "openai-completions", "azure-openai", "anthropic", "tgi", "triton", "triton-grpc", "ollama", "http", got the text "vllm"',
      'sweep.yaml:4:13: target.base_url must be an http(s) URL such as http://localhost:8000/v1, or builtin, got the text "localhost:8000"',
      'sweep.yaml:6:24: params.temperature must be at least 0, got -1',
      'sweep.yaml:6:31: params.n must be a whole number of at least 1, got 0',
      'sweep.yaml:8:17: matrix.concurrency[0] must be a whole number of at least 1, got 0',
      'sweep.yaml:8:20: matrix.concurrency[1] must be a whole number, got 2.5',
      'sweep.yaml:9:10: matrix.rate[0] must be at least 0.001, got -1',
      'sweep.yaml:10:11: requests must be a whole number of at least 1, got 0',
      'sweep.yaml:11:10: arrival must be one of "poisson", "constant", got the text "poison" — did you mean \'poisson\'?',
    ]);
  });

  it('an empty matrix axis, at its line', () => {
    expect(problems(`${MINIMAL}matrix:\n  model: [a]\n  temperature: []\n`)).toEqual([
      'sweep.yaml:7:16: matrix.temperature is an empty list; give the axis at least one value, or remove it',
    ]);
  });

  it('a duplicate axis value', () => {
    expect(problems(`${MINIMAL}matrix:\n  max_tokens: [64, 128, 64]\n`)).toEqual([
      'sweep.yaml:6:25: matrix.max_tokens lists 64 twice (items 0 and 2); remove one, each value makes its own cells',
    ]);
  });

  it('requests, duration_s and repeat are alternatives', () => {
    expect(problems(`${MINIMAL}requests: 10\nduration_s: 30\n`)).toEqual([
      'sweep.yaml:6:1: give only one of requests, duration_s and repeat (found requests and duration_s); remove duration_s',
    ]);
    expect(problems(`${MINIMAL}repeat: 2\nrequests: 10\n`)).toEqual([
      'sweep.yaml:5:1: give only one of requests, duration_s and repeat (found requests and repeat); remove repeat',
    ]);
  });

  it('prompt entries of the wrong form', () => {
    expect(
      problems(`name: t
target: { base_url: "http://127.0.0.1:8000/v1" }
prompts:
  - 42
  - {}
  - { fle: q.txt }
  - { prompt: a, file: b.txt }
  - { messages: hello }
  - ""
`),
    ).toEqual([
      'sweep.yaml:4:5: prompts[0] must be a string, or a mapping with one of prompt, messages or file, got 42',
      'sweep.yaml:5:5: prompts[1] is an empty mapping; give one of prompt, messages, file',
      "sweep.yaml:6:7: unknown key 'fle' in prompts[2] — did you mean 'file'?",
      'sweep.yaml:7:5: prompts[3] must have exactly one of prompt, messages, file (found prompt and file)',
      'sweep.yaml:8:17: prompts[4].messages must be a list, got the text "hello"',
      'sweep.yaml:9:5: prompts[5] must not be empty',
    ]);
  });

  it('thresholds and retry statuses of the wrong form', () => {
    expect(
      problems(`name: t
target:
  base_url: http://127.0.0.1:8000/v1
  retry: { on: [429, timeout, 700] }
prompts: [hi]
thresholds:
  latency_ms.p95: 2000
  error_rate: ["< 0.01", 1]
`),
    ).toEqual([
      'sweep.yaml:4:22: target.retry.on[1] must be an HTTP status (100-599) or "network", got the text "timeout"',
      'sweep.yaml:4:31: target.retry.on[2] must be at most 599, got 700',
      'sweep.yaml:7:19: thresholds.latency_ms.p95 must be a condition in quotes like "< 2000", or a list of them, got 2000',
      'sweep.yaml:8:26: thresholds.error_rate[1] must be text, got 1',
    ]);
  });

  it('misplaced prompt fields in params', () => {
    expect(problems(`${MINIMAL}params:\n  messages: []\n`)).toEqual([
      "sweep.yaml:6:3: 'messages' cannot be a params key: chat messages go in `prompts` (a `messages:` entry or a .jsonl file), not in the body parameters",
    ]);
  });

  it('reports every problem at once, in file order', () => {
    const found = problems(`name: t
target:
  base_url: http://127.0.0.1:8000/v1
  api_key: \${NOT_SET_ANYWHERE}
prompts: [{ file: nope.txt }]
matrix:
  temprature: [0]
requests: -1
`);
    expect(found).toEqual([
      'sweep.yaml:4:12: environment variable NOT_SET_ANYWHERE is not set; export it, or write ${NOT_SET_ANYWHERE:-default} to give a default',
      "sweep.yaml:5:19: prompt file 'nope.txt' not found (looked for nope.txt); paths are relative to the spec's folder",
      "sweep.yaml:7:3: unknown key 'temprature' in matrix — did you mean 'temperature'?",
      'sweep.yaml:8:11: requests must be a whole number of at least 1, got -1',
    ]);
  });
});

describe('the target, one form per provider', () => {
  it("names the provider a setting belongs to when another provider's target has it", () => {
    expect(
      problems(`name: t
target:
  provider: tgi
  base_url: http://127.0.0.1:8000
  http: { body: {}, paths: { text: t } }
prompts: [hi]
`),
    ).toEqual(["sweep.yaml:5:3: target.http is a setting of provider http, not of tgi; remove it, or set provider: http"]);
    expect(problems(`${MINIMAL.replace('target:\n', 'target:\n  api_version: "2024-10-21"\n')}`)).toEqual([
      'sweep.yaml:3:3: target.api_version is a setting of provider azure-openai, not of openai-chat; remove it, or set provider: azure-openai',
    ]);
  });

  it('needs the settings its provider cannot do without', () => {
    expect(problems(`name: t\ntarget:\n  provider: http\n  base_url: http://127.0.0.1:8000\nprompts: [hi]\n`)).toEqual([
      "sweep.yaml:2:1: missing required key 'http' in target — http: the request template and response paths.",
    ]);
  });
});

describe('include and exclude', () => {
  const spec = (m: string) => `${MINIMAL}matrix:\n  model: [a, b]\n  max_tokens: [64, 256]\n${m}`;

  it('exclude keys must be axes', () => {
    expect(problems(spec('  exclude:\n    - { modle: b, max_tokens: 256 }\n    - { seed: 1 }\n'))).toEqual([
      "sweep.yaml:9:9: exclude key 'modle' is not a matrix axis — did you mean 'model'?",
      "sweep.yaml:10:9: exclude key 'seed' is not a matrix axis (axes: model, max_tokens)",
    ]);
  });

  it('include keys may be new, but not typos of known ones', () => {
    expect(problems(spec('  include:\n    - { model: c, max_tokns: 32 }\n'))).toEqual([
      "sweep.yaml:9:19: unknown key 'max_tokns' in matrix.include[0] — did you mean 'max_tokens'?",
    ]);
    expect(load(spec('  include:\n    - { model: c, my_flag: 1 }\n')).spec.matrix.include).toEqual([{ model: 'c', my_flag: 1 }]);
  });

  it('entries are typed like the axes', () => {
    expect(problems(spec('  include:\n    - { model: c, max_tokens: "64" }\n  exclude:\n    - { concurrency: 0 }\n'))).toEqual([
      'sweep.yaml:9:31: matrix.include[0].max_tokens must be a number, got the text "64"',
      "sweep.yaml:11:9: exclude key 'concurrency' is not a matrix axis (axes: model, max_tokens)",
      'sweep.yaml:11:22: matrix.exclude[0].concurrency must be a whole number of at least 1, got 0',
    ]);
  });

  it('empty entries are errors', () => {
    expect(problems(spec('  exclude: [{}]\n  include: [{}]\n'))).toEqual([
      'sweep.yaml:8:13: an empty exclude entry would drop every combination; give the axis values to drop',
      'sweep.yaml:9:13: an empty include entry adds nothing; give the keys and values to add',
    ]);
  });
});

describe('YAML problems', () => {
  it('a syntax error, at the bracket that is not closed', () => {
    expect(problems(`name: t\nprompts: [a, b\nrequests: 3\n`)).toEqual([
      "sweep.yaml:2:10: this '[' is never closed; end the list with ']'",
    ]);
  });

  it('an unclosed quote, at the quote', () => {
    expect(problems(`name: "t\nrequests: 3\n`)).toEqual([
      'sweep.yaml:1:7: this quote (") is never closed; add the closing " at the end of the value',
    ]);
  });

  it('a tab used for indentation', () => {
    expect(problems(`name: t\ntarget:\n\tbase_url: builtin\n`)).toEqual([
      'sweep.yaml:3:1: a tab is used for indentation; YAML allows only spaces there',
    ]);
  });

  it('duplicate keys, each of them', () => {
    expect(problems(`${MINIMAL}requests: 1\nmatrix:\n  model: [a]\n  model: [b]\nrequests: 2\n`)).toEqual([
      "sweep.yaml:8:3: duplicate key 'model': a key may appear only once in a mapping; remove or merge one of them",
      "sweep.yaml:9:1: duplicate key 'requests': a key may appear only once in a mapping; remove or merge one of them",
    ]);
  });

  it('an alias without its anchor', () => {
    expect(problems(`${MINIMAL}params: *defaults\n`)).toEqual([
      'sweep.yaml:5:9: alias *defaults has no anchor &defaults before it',
    ]);
  });

  it('anchors, aliases and merge keys work', () => {
    const { spec } = load(`${MINIMAL}params: &p { top_p: 0.9 }\nmatrix:\n  include: [*p, { <<: *p, seed: 1 }]\n`);
    expect(spec.matrix.include).toEqual([{ top_p: 0.9 }, { top_p: 0.9, seed: 1 }]);
  });

  it('more than one document', () => {
    expect(problems(`${MINIMAL}---\nname: u\n`)).toEqual([
      "sweep.yaml:5:1: the spec must be a single YAML document; remove the '---' separator (or split the file in two)",
    ]);
  });

  it('an empty file, a list, a missing file', () => {
    expect(problems('# nothing\n')).toEqual([
      'sweep.yaml:1:1: the spec is empty; llm-sweep init writes two commented starter specs (docs/spec.md describes every field)',
    ]);
    expect(problems('- a\n- b\n')).toEqual([
      'sweep.yaml:1:1: the spec must be a mapping of keys (name, target, prompts, matrix, ...), got a list',
    ]);
    expect(() => loadSpec('/nonexistent/sweep.yaml')).toThrow(UserError);
    expect(() => loadSpec('/nonexistent/sweep.yaml')).toThrow('/nonexistent/sweep.yaml: cannot read the spec: no such file');
  });
});

describe('warnings', () => {
  it('flags a base_url that is probably the wrong one', () => {
    const w = (url: string, provider = 'openai-chat') =>
      load(`name: t\ntarget: { provider: ${provider}, base_url: "${url}" }\nprompts: [hi]\n`).warnings!.map((m) =>
        m.replace(/^.*sweep\.yaml/, 'sweep.yaml'),
      );
    expect(w('http://127.0.0.1:8000')).toEqual([
      'sweep.yaml:2:44: target.base_url for openai-chat usually ends in /v1 (e.g. http://localhost:8000/v1); the provider appends /chat/completions to it',
    ]);
    expect(w('http://127.0.0.1:8000/v1/chat/completions')[0]).toMatch(
      /ends in \/chat\/completions, which the openai-chat provider appends itself; give the base URL without it$/,
    );
    expect(w('http://127.0.0.1:11434/v1', 'ollama')[0]).toMatch(/for ollama is the server root \(without \/v1\)/);
    expect(w('http://127.0.0.1:8000/v1')).toEqual([]);
    expect(w('builtin')).toEqual([]);
  });

  it('flags params shadowed by an axis, and prompts never sent', () => {
    const loaded = load(`name: t
target: { base_url: "http://127.0.0.1:8000/v1" }
prompts: [a, b, c]
params: { temperature: 0 }
matrix:
  temperature: [0.5]
requests: 2
`);
    expect(loaded.warnings!.map((w) => w.replace(/^.*sweep\.yaml/, 'sweep.yaml'))).toEqual([
      'sweep.yaml:4:11: params.temperature is overridden by the matrix axis temperature in every cell; remove one of them',
      'sweep.yaml:7:11: requests (2) is less than the number of prompts (3); prompts 2 to 2 are never sent (use repeat: 1 to send each once)',
    ]);
  });
});

describe('suggestions', () => {
  it('count a swap of neighbouring letters as one edit', () => {
    expect(editDistance('modle', 'model')).toBe(1);
    expect(editDistance('temprature', 'temperature')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggest only plausible typos', () => {
    expect(nearest('temprature', ['temperature', 'top_p'])).toBe('temperature');
    expect(nearest('Temperature', ['temperature'])).toBe('temperature');
    expect(nearest('xyz', ['temperature', 'top_p'])).toBeUndefined();
    expect(nearest('xy', ['n'], { maxDistance: 0 })).toBeUndefined();
  });
});
