/**
 * The simulated model's output: a deterministic stream of word tokens (" the", " cache", ".")
 * drawn from a seeded PRNG, an early stop with a fixed chance per token, and stop strings.
 * One token is one streamed content chunk, so completion_tokens == content chunks.
 */
import { hashString, mixSeed, mulberry32, type Random } from '../random.js';
import { answerQuestion, findQuestion, type QuizModel } from './quiz.js';

/** Most common first: lower temperatures favour the head of the list. */
const WORDS = (
  'the of and to a in is that for it as with on be by this are from at or can an which ' +
  'model cache token tokens batch memory request requests latency throughput server GPU ' +
  'decode prefill attention layer layers sequence sequences time first each more when ' +
  'kernel scheduler queue output input prompt context window weights tensor tensors ' +
  'compute bandwidth key value store reuse block blocks page paged step steps length ' +
  'faster slower higher lower per second inference engine continuous batching speculative ' +
  'draft verify accept parallel pipeline shard shards quantized precision fp16 int8 head ' +
  'heads matrix vector softmax logits sampling temperature top probability distribution ' +
  'greedy beam warmup benchmark percentile median tail p99 jitter stall retry backoff ' +
  'client endpoint stream streaming chunk chunks usage budget cost error rate knee curve'
).split(' ');

/** Words for the quiz model's thinking: none with a digit, so they never look like an answer. */
const WORDS_NO_DIGITS = WORDS.filter((w) => !/\d/.test(w));

/** Upper bound on generated tokens, like a model's context limit. */
export const MAX_OUTPUT_TOKENS = 32_768;

/** finish_reason values the simulator produces. */
export type FinishReason = 'stop' | 'length';

export interface GenerateInput {
  /** All prompt text (message contents joined); part of the text seed. */
  prompt: string;
  /** Sampling temperature; 0 makes the text depend on the prompt only. */
  temperature: number;
  /** The request's `seed`, or the server seed when the request has none. */
  seed: number;
  /** Most tokens to produce (max_tokens / max_completion_tokens). */
  maxTokens: number;
  /** Chance per token after the first that the model stops by itself. */
  stopProbability: number;
  /** Stop strings: output ends before the first one, finish_reason "stop". */
  stop: readonly string[];
  /** The toy quality model for arithmetic questions (quiz.ts); off when undefined. */
  quiz?: QuizModel;
  /** The endpoint has a reasoning field (chat): the quiz model's thinking goes there. */
  separateReasoning?: boolean;
  /** `ignore_eos`: never stop by itself (stop strings still apply, as in vLLM). */
  ignoreEos?: boolean;
  /** `min_tokens`: neither an early stop nor a stop string before this many tokens (vLLM). */
  minTokens?: number;
}

export interface Generation {
  /** The content chunks, in order; joined they are the completion text. */
  tokens: string[];
  finishReason: FinishReason;
  /** How many leading tokens are reasoning text (reasoning_content), not content; 0 when absent. */
  reasoningTokens?: number;
}

/** Characters per prompt token when the simulator has no tokenizer. */
export const CHARS_PER_TOKEN = 4;

/**
 * Prompt tokens as the simulator counts them: ceil(characters / 4), characters being Unicode
 * code points of all prompt text.
 */
export function countPromptTokens(text: string): number {
  let chars = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A low surrogate after a high one belongs to the same code point.
    if (c >= 0xdc00 && c <= 0xdfff && i > 0 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800) continue;
    chars++;
  }
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** The seed of the text PRNG: same prompt + seed + temperature, same text; temperature 0 ignores the seed. */
export function textSeed(prompt: string, temperature: number, seed: number): number {
  return temperature === 0 ? mixSeed(hashString(prompt), 0) : mixSeed(hashString(prompt), seed, temperature);
}

export function generate(input: GenerateInput): Generation {
  const seed = textSeed(input.prompt, input.temperature, input.seed);
  // Higher temperature flattens the word distribution (more rare words).
  const skew = 1 + 2 / (1 + input.temperature);
  const question = input.quiz ? findQuestion(input.prompt) : undefined;
  if (question && input.quiz) {
    const a = answerQuestion(question, input.quiz, {
      textSeed: seed,
      temperature: input.temperature,
      maxTokens: input.maxTokens,
      separateReasoning: input.separateReasoning ?? false,
      words: (random, n) => {
        const next = wordStream(random, skew, WORDS_NO_DIGITS);
        return Array.from({ length: n }, (_, i) => next(i));
      },
    });
    const cut = applyStop(a.tokens, input.stop);
    if (cut) return { tokens: cut, finishReason: 'stop', reasoningTokens: Math.min(a.reasoningTokens, cut.length) };
    return { tokens: a.tokens, finishReason: a.finishReason, reasoningTokens: a.reasoningTokens };
  }
  const random = mulberry32(seed);
  // A separate stream for early stops: the text is the same whatever stop_probability is, only shorter.
  const stops = mulberry32(seed ^ 0x5f0b);
  const next = wordStream(random, skew, WORDS);
  const tokens: string[] = [];
  let finishReason: FinishReason = 'length';
  const minTokens = input.minTokens ?? 0;
  for (let i = 0; i < input.maxTokens; i++) {
    // Drawn even when it may not stop, so ignore_eos and min_tokens do not change the text.
    if (i > 0 && stops() < input.stopProbability && i >= minTokens && !input.ignoreEos) {
      finishReason = 'stop';
      break;
    }
    tokens.push(next(i));
  }
  const cut = applyStop(tokens, input.stop, input.minTokens ?? 0);
  return cut ? { tokens: cut, finishReason: 'stop' } : { tokens, finishReason };
}

/** Sentences of words from `vocabulary`: next(i) is token i (a word, with a space unless first, or "."). */
function wordStream(random: Random, skew: number, vocabulary: readonly string[]): (i: number) => string {
  let sentenceLeft = sentenceLength(random);
  let capitalize = true;
  return (i) => {
    if (sentenceLeft === 0) {
      capitalize = true;
      sentenceLeft = sentenceLength(random);
      return '.';
    }
    const word = vocabulary[Math.floor(vocabulary.length * random() ** skew)];
    const text = capitalize ? word[0].toUpperCase() + word.slice(1) : word;
    capitalize = false;
    sentenceLeft--;
    return i === 0 ? text : ` ${text}`;
  };
}

function sentenceLength(random: Random): number {
  return 6 + Math.floor(random() * 12);
}

/**
 * Tokens up to the first stop string (which is not included), or undefined when none occurs.
 * A stop string is looked for only after the first `minTokens` tokens.
 */
export function applyStop(tokens: readonly string[], stop: readonly string[], minTokens = 0): string[] | undefined {
  const needles = stop.filter((s) => s.length > 0);
  if (needles.length === 0) return undefined;
  const text = tokens.join('');
  const from = tokens.slice(0, minTokens).join('').length;
  let at = -1;
  for (const s of needles) {
    const i = text.indexOf(s, from);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  if (at < 0) return undefined;
  const kept: string[] = [];
  let pos = 0;
  for (const t of tokens) {
    if (pos + t.length <= at) kept.push(t);
    else {
      if (at > pos) kept.push(t.slice(0, at - pos));
      break;
    }
    pos += t.length;
  }
  return kept;
}
