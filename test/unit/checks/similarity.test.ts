import { describe, expect, it } from 'vitest';
import { lcsLength, MAX_LCS_CELLS, rougeL, tokenF1, words } from '../../../src/checks/similarity.js';

describe('words', () => {
  it('case-folds, drops punctuation, keeps digits and accents', () => {
    expect(words('The café, at 9:30 — OK?')).toEqual(['the', 'café', 'at', '9', '30', 'ok']);
  });
  it('NFKC-normalises (full-width letters, ligatures)', () => {
    expect(words('ＡＢＣ ﬁne')).toEqual(['abc', 'fine']);
  });
  it('splits Han and kana one character a word, Latin runs around them whole', () => {
    expect(words('東京はGPU')).toEqual(['東', '京', 'は', 'gpu']);
  });
});

describe('rougeL', () => {
  // Hand-computed: LCS length, then F = 2 lcs / (|candidate| + |reference|).
  it.each([
    ['the cat sat on the mat', 'the cat was on the mat', 10 / 12],
    ['police killed the gunman', 'the gunman kill police', 4 / 8], // LCS "the gunman" = 2
    ['a b c d', 'a b c d', 1],
    ['a b c d', 'e f g', 0],
    ['', '', 1],
    ['a', '', 0],
  ])('%j vs %j', (c, r, f) => {
    expect(rougeL(c, r)).toBeCloseTo(f, 12);
  });
  it('is order-sensitive where F1 is not', () => {
    expect(rougeL('d c b a', 'a b c d')).toBeCloseTo(2 / 8, 12);
    expect(tokenF1('d c b a', 'a b c d')).toBe(1);
  });
  it('refuses texts too long to score quickly', () => {
    const n = Math.ceil(Math.sqrt(MAX_LCS_CELLS)) + 1;
    const long = Array.from({ length: n }, () => 'w');
    expect(() => lcsLength(long, long)).toThrow(/too long for ROUGE-L/);
  });
});

describe('tokenF1', () => {
  it('counts repeated words as a multiset', () => {
    // candidate "the the the" vs reference "the cat": common 1, F1 = 2*1/(3+2).
    expect(tokenF1('the the the', 'the cat')).toBeCloseTo(2 / 5, 12);
    expect(tokenF1('Paris', 'Paris, France')).toBeCloseTo(2 / 3, 12);
    expect(tokenF1('', '')).toBe(1);
    expect(tokenF1('x', '')).toBe(0);
  });
});
