// Copies the part of gpt-tokenizer that llm-sweep runs into dist/vendor/gpt-tokenizer/:
// the CommonJS modules reachable from the o200k_base and cl100k_base encodings, and the
// licence. gpt-tokenizer ships every encoding three times (cjs, esm, bundles) plus sources
// and source maps, 55 MB installed; the two encodings we load are ~4 MB. It is a
// devDependency; this runs after tsc in `npm run build` (and so in `prepare` and `npm pack`).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const ENCODINGS = ['o200k_base', 'cl100k_base'];
const root = dirname(createRequire(import.meta.url).resolve('gpt-tokenizer/package.json'));
const out = resolve(import.meta.dirname, '../dist/vendor/gpt-tokenizer');
rmSync(out, { recursive: true, force: true });

const seen = new Set();
const queue = ENCODINGS.map((e) => join(root, 'cjs/encoding', `${e}.js`));
while (queue.length > 0) {
  const file = queue.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
    const dep = resolve(dirname(file), m[1]);
    queue.push(dep.endsWith('.js') ? dep : `${dep}.js`);
  }
  const target = join(out, relative(join(root, 'cjs'), file));
  mkdirSync(dirname(target), { recursive: true });
  // Their source-map comments point at files we do not ship.
  writeFileSync(target, text.replace(/^\/\/# sourceMappingURL=.*$/gm, ''));
}
copyFileSync(join(root, 'LICENSE'), join(out, 'LICENSE'));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// A package.json of its own, so Node reads the copied .js files as CommonJS (ours is a
// module package), and says where they came from.
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: 'gpt-tokenizer', version, type: 'commonjs', private: true }, null, 2)}\n`);
process.stderr.write(`vendored ${seen.size} gpt-tokenizer modules (${ENCODINGS.join(', ')}) into ${relative(process.cwd(), out)}\n`);
