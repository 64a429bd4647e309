/**
 * The simulator's toy model of answer quality, so a sweep over the bundled simulator has
 * something for checks to measure. A prompt that asks an arithmetic question ("What is
 * 17 + 25?", also - and * or ×, integers) is answered like a small reasoning model would:
 * it thinks for a while (reasoning tokens), then gives the number and stops. It is right with
 * probability
 *
 *     p(temperature) = clamp(accuracy - accuracy_drop x temperature, 0, 1)
 *
 * drawn from the text seed, so the same prompt, seed and temperature give the same answer
 * (at temperature 0 a question is always right or always wrong: the model "knows" some
 * questions and not others). A wrong answer is the right one off by 1 to 9, chosen so that
 * neither contains the other as text, so a `contains` check cannot pass by accident. The
 * thinking uses words without digits for the same reason. A max_tokens that ends the output
 * before the answer leaves it unanswered (finish_reason length): more thinking costs latency,
 * too little loses the answer.
 */
import { mixSeed, mulberry32, type Random } from '../random.js';

export interface Question {
  /** The right answer, as text (exact, whatever the size of the numbers). */
  answer: string;
}

export interface QuizModel {
  /** Chance of the right answer at temperature 0. */
  accuracy: number;
  /** How much that chance falls per unit of temperature. */
  accuracyDrop: number;
  /** Mean tokens of thinking before the answer; each question takes 0.5x to 1.5x of it. */
  thinkTokens: number;
}

// The last "what is A op B" in the prompt; at most 30 digits a number keeps the work trivial.
const QUESTION = /\bwhat\s+is\s+(-?\d{1,30})\s*([-+*×x])\s*(-?\d{1,30})(?!\d)/gi;

/** The arithmetic question a prompt asks, if it asks one. */
export function findQuestion(prompt: string): Question | undefined {
  let last: RegExpExecArray | undefined;
  for (const m of prompt.matchAll(QUESTION)) last = m;
  if (!last) return undefined;
  const a = BigInt(last[1]);
  const b = BigInt(last[3]);
  const op = last[2];
  const value = op === '+' ? a + b : op === '-' ? a - b : a * b;
  return { answer: value.toString() };
}

/** p(temperature) of the toy model. */
export function correctChance(model: QuizModel, temperature: number): number {
  return Math.min(1, Math.max(0, model.accuracy - model.accuracyDrop * temperature));
}

/** A wrong answer near the right one that neither contains it nor is contained in it. */
export function wrongAnswer(right: string, random: Random): string {
  const r = BigInt(right);
  const start = Math.floor(random() * 18);
  for (let k = 0; k < 18; k++) {
    const i = (start + k) % 18;
    const offset = BigInt(i < 9 ? i + 1 : 8 - i); // 1..9, then -1..-9
    const w = (r + offset).toString();
    if (!w.includes(right) && !right.includes(w)) return w;
  }
  // Not reached for any integer (some offset always changes the last digit without nesting),
  // but a fixed fallback keeps this total.
  return (r + 1000n).toString();
}

export interface QuizAnswer {
  /** Thinking tokens, then the answer tokens. */
  tokens: string[];
  /** How many of the leading tokens are thinking (reasoning). */
  reasoningTokens: number;
  /** Whether the answer is the right one (false also when max_tokens cut it off). */
  correct: boolean;
  finishReason: 'stop' | 'length';
}

/**
 * The model's output for a question. With `separateReasoning` (chat) the answer is the bare
 * number, as content after reasoning; without (completions) it is " Answer: N" after the
 * thinking, in the same text.
 */
export function answerQuestion(
  q: Question,
  model: QuizModel,
  opts: { textSeed: number; temperature: number; maxTokens: number; separateReasoning: boolean; words: (random: Random, n: number) => string[] },
): QuizAnswer {
  const random = mulberry32(mixSeed(opts.textSeed, 0x9e1f));
  const right = random() < correctChance(model, opts.temperature);
  const given = right ? q.answer : wrongAnswer(q.answer, random);
  const think = model.thinkTokens === 0 ? 0 : Math.max(1, Math.round(model.thinkTokens * (0.5 + random())));
  const thinking = opts.words(random, think);
  const answer = opts.separateReasoning ? [given] : [' Answer:', ` ${given}`];
  const all = [...thinking, ...answer];
  if (all.length > opts.maxTokens) {
    const cut = all.slice(0, opts.maxTokens);
    return { tokens: cut, reasoningTokens: opts.separateReasoning ? Math.min(think, cut.length) : 0, correct: false, finishReason: 'length' };
  }
  return { tokens: all, reasoningTokens: opts.separateReasoning ? think : 0, correct: right, finishReason: 'stop' };
}
