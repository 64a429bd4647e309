// One process of the dataset memory bench (bench/run.js): writes nothing, samples `count`
// rows from a JSONL file with the o200k tokenizer and vLLM-style filters, prints a JSON line.
// Usage: node bench/dataset-sample.js <file.jsonl> <count>
import { datasetSchema, sampleDataset } from '../dist/plan/workloads/dataset.js';
import { builtinTokenizer } from '../dist/tokenizers/builtin.js';

const [file, count] = process.argv.slice(2);
const t0 = performance.now();
const sample = await sampleDataset(datasetSchema.parse({ file, output: 'output_len', output_tokens: 'dataset', max_input_tokens: 1024 }), {
  ref: { path: file, shown: file, at: file },
  tokenizer: builtinTokenizer('o200k'),
  seed: 1,
  count: Number(count),
});
process.stdout.write(
  `${JSON.stringify({ rows: sample.rows.length, scanned: sample.scanned, seconds: (performance.now() - t0) / 1000 })}\n`,
);
