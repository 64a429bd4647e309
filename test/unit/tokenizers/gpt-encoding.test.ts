/**
 * The vendored encodings (dist/vendor/gpt-tokenizer, written by `npm run build`) are the
 * package's own code: same token ids and counts as the gpt-tokenizer devDependency.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { GPT_ENCODINGS, vendoredEncodingPath, type GptEncodingModule } from '../../../src/tokenizers/gpt-encoding.js';

const require = createRequire(import.meta.url);
const TEXTS = [
  'Explain the KV cache in one paragraph.',
  'Schöne Grüße — 日本語のテキスト, emoji 🚀🔥 and <|endoftext|> as plain text.',
  `def merge(a, b):\n    """Merge two sorted lists."""\n    return sorted(a + b)\n`,
  'a'.repeat(3000),
];

describe('vendored gpt-tokenizer encodings', () => {
  for (const name of GPT_ENCODINGS) {
    it(`${name}: the copy in dist/vendor encodes as the package does`, () => {
      // src/tokenizers/gpt-encoding.ts resolves ../vendor from dist/tokenizers/.
      const path = vendoredEncodingPath(name).replace(/[/\\]src[/\\]vendor[/\\]/, '/dist/vendor/');
      expect(existsSync(path), `${path}: run npm run build`).toBe(true);
      const vendored = require(path) as GptEncodingModule;
      const upstream = require(`gpt-tokenizer/encoding/${name}`) as GptEncodingModule;
      const plain = { disallowedSpecial: new Set<string>() };
      expect(vendored.vocabularySize).toBe(upstream.vocabularySize);
      for (const t of TEXTS) {
        expect(vendored.encode(t, plain)).toEqual(upstream.encode(t, plain));
        expect(vendored.countTokens(t, plain)).toBe(upstream.countTokens(t, plain));
      }
    });
  }
});
