import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../src/metrics/wilson.js';
import { correctChance, findQuestion, wrongAnswer } from '../../../src/simulator/quiz.js';
import { mulberry32 } from '../../../src/random.js';
import { generate, type GenerateInput } from '../../../src/simulator/text.js';

const quiz = { accuracy: 0.9, accuracyDrop: 0.4, thinkTokens: 10 };
const ask = (a: number, b: number): GenerateInput => ({
  prompt: `What is ${a} + ${b}?`,
  temperature: 0,
  seed: 42,
  maxTokens: 100,
  stopProbability: 0.5,
  stop: [],
  quiz,
  separateReasoning: true,
});

describe('findQuestion', () => {
  it.each([
    ['What is 17 + 25?', '42'],
    ['what is 3 × -4', '-12'],
    ['What is 10 - 30?', '-20'],
    ['Q: what is 6*7? Reply with the number.', '42'],
    ['What is 2 + 2? No wait: what is 123456789012345678901 * 10?', '1234567890123456789010'],
  ])('%j -> %s', (prompt, answer) => {
    expect(findQuestion(prompt)?.answer).toBe(answer);
  });
  it('ignores prompts that ask no arithmetic question', () => {
    expect(findQuestion('Explain the KV cache in 2 sentences.')).toBeUndefined();
    expect(findQuestion('What is 2 to the power of 3?')).toBeUndefined();
  });
});

describe('correctChance', () => {
  it('falls linearly with temperature and stays within [0, 1]', () => {
    expect(correctChance(quiz, 0)).toBe(0.9);
    expect(correctChance(quiz, 1)).toBeCloseTo(0.5, 12);
    expect(correctChance(quiz, 2)).toBeCloseTo(0.1, 12);
    expect(correctChance({ ...quiz, accuracyDrop: 1 }, 2)).toBe(0);
  });
});

describe('wrongAnswer', () => {
  it('is never the right answer and never nests in it as text', () => {
    const random = mulberry32(1);
    for (const right of ['0', '1', '5', '9', '10', '11', '19', '99', '100', '-1', '-10', '123456', '999999999999999999999']) {
      for (let i = 0; i < 20; i++) {
        const w = wrongAnswer(right, random);
        expect(w).not.toBe(right);
        expect(w.includes(right) || right.includes(w)).toBe(false);
        expect(Math.abs(Number(BigInt(w) - BigInt(right)))).toBeLessThanOrEqual(9);
      }
    }
  });
});

describe('generate with the quiz model', () => {
  it('thinks (reasoning tokens without digits), then answers with the bare number and stops', () => {
    const g = generate(ask(17, 25));
    const r = g.reasoningTokens!;
    expect(r).toBeGreaterThanOrEqual(5);
    expect(r).toBeLessThanOrEqual(15);
    expect(g.tokens).toHaveLength(r + 1);
    expect(g.tokens.slice(0, r).join('')).not.toMatch(/\d/);
    expect(g.tokens[r]).toMatch(/^-?\d+$/);
    expect(g.finishReason).toBe('stop');
  });
  it('on completions, writes " Answer: N" after the thinking, all as text', () => {
    const g = generate({ ...ask(17, 25), separateReasoning: false });
    expect(g.reasoningTokens).toBe(0);
    expect(g.tokens.at(-2)).toBe(' Answer:');
    expect(g.tokens.at(-1)).toMatch(/^ -?\d+$/);
  });
  it('loses the answer when max_tokens ends the output first', () => {
    const g = generate({ ...ask(17, 25), maxTokens: 3 });
    expect(g).toMatchObject({ finishReason: 'length', reasoningTokens: 3 });
    expect(g.tokens).toHaveLength(3);
  });
  it('is right with probability accuracy - accuracy_drop x temperature (within the 99.9% Wilson interval)', () => {
    for (const temperature of [0, 0.5, 1, 1.5]) {
      let right = 0;
      const n = 2000;
      for (let i = 0; i < n; i++) {
        const g = generate({ ...ask(i, 3 * i + 1), temperature });
        if (g.tokens.at(-1) === String(4 * i + 1)) right++;
      }
      const w = wilsonInterval(right, n, 0.999)!;
      const p = correctChance(quiz, temperature);
      expect(w.low).toBeLessThanOrEqual(p);
      expect(w.high).toBeGreaterThanOrEqual(p);
    }
  });
  it('gives the same answer for the same prompt, seed and temperature', () => {
    expect(generate({ ...ask(5, 6), temperature: 1 })).toEqual(generate({ ...ask(5, 6), temperature: 1 }));
  });
  it('leaves other prompts to the word model', () => {
    const g = generate({ ...ask(1, 2), prompt: 'Explain the KV cache.', stopProbability: 0 });
    expect(g.reasoningTokens).toBeUndefined();
    expect(g.tokens).toHaveLength(100);
  });
});
