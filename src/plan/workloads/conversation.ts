/**
 * Multi-turn sessions (`conversation: { turns: 4, input_tokens: 256, output_tokens: 128,
 * think_time_ms: 1000 }`): a session's turns go in order, each with the history so far, the
 * server's own answers as the assistant turns, so turn t's prompt starts with everything
 * turn t-1 sent and got back (what a prefix cache is for). A think time (a number or a
 * distribution, ms) passes between an answer and the next turn. User turns are synthetic text
 * of `input_tokens`, or the human turns of sampled ShareGPT conversations.
 */
import { z } from 'zod';
import { mixSeed, mulberry32 } from '../../random.js';
import type { ChatMessage } from '../../spec/schema.js';
import type { DatasetRow } from './dataset.js';
import { distributionSchema, draw, DURATION_MS, meanOf, TOKEN_COUNT, type Distribution } from './distribution.js';
import type { RowList } from './packed-rows.js';
import { textOfTokens, type Vocabulary } from './vocabulary.js';

export const conversationSchema = z
  .strictObject({
    turns: distributionSchema(TOKEN_COUNT).describe('User turns per session: a number or a distribution (with a dataset: at most the conversation has).'),
    input_tokens: distributionSchema(TOKEN_COUNT)
      .optional()
      .describe('Length of each new user turn, tokens (synthetic turns; not with a dataset).'),
    output_tokens: distributionSchema(TOKEN_COUNT).optional().describe('Output length asked for on each turn, tokens.'),
    think_time_ms: distributionSchema(DURATION_MS).default(0).describe('Pause between an answer and the next turn, ms: a number or a distribution.'),
    sessions: z.number().int().positive().optional().describe('Sessions per cell; by default enough for `requests` turns.'),
  })
  .describe('Multi-turn chat sessions: turns in order with the real answers as history, sessions concurrent up to concurrency.');
export type ConversationSpec = z.infer<typeof conversationSchema>;

/** One turn of a session, planned. */
export interface TurnPlan {
  /** 0-based turn number within the session. */
  turn: number;
  /** The new user message. */
  user: string;
  /** Tokens of the new user message by the workload's tokenizer (the history comes on top). */
  inputTokens?: number;
  /** Output tokens to ask for. */
  outputTokens?: number;
  /** Wait before sending this turn, after the previous answer, ms (0 for the first turn). */
  thinkMs: number;
}

/** One session, planned: its user turns (the assistant turns come from the server at run time). */
export interface SessionPlan {
  /** 0-based session number within the cell. */
  session: number;
  turns: TurnPlan[];
  /** Where the turns came from: `synthetic session 3`, `sharegpt.json:120`. */
  origin: string;
}

export interface ConversationSource {
  kind: 'conversation';
  /** Session s of the cell (negative for warmup sessions). */
  session(s: number): SessionPlan;
  /** The number of turns of session s, without writing them. */
  turnsOf(s: number): number;
}

export interface ConversationOptions {
  spec: ConversationSpec;
  seed: number;
  /** The cell's key (its id). */
  key: string;
  /** For synthetic turns. */
  vocab?: Vocabulary;
  /** For dataset turns: the sampled conversations (with turns), and which one session s uses. */
  rows?: RowList;
  rowOf?: (s: number) => number;
  /** Per-cell overrides of the spec (matrix axes input_tokens / output_tokens). */
  inputTokens?: Distribution;
  outputTokens?: Distribution;
}

/** The sessions of one cell. */
export function conversationSource(o: ConversationOptions): ConversationSource {
  const input = o.inputTokens ?? o.spec.input_tokens;
  const output = o.outputTokens ?? o.spec.output_tokens;
  const rowFor = (s: number) => (o.rows && o.rows.length > 0 ? o.rows.at((((o.rowOf?.(s) ?? s) % o.rows.length) + o.rows.length) % o.rows.length) : undefined);
  // Human turns are the even ones; the dataset's own answers are replaced by the server's.
  const humanTurns = (row: DatasetRow) => (row.turns ?? [row.prompt]).filter((_, j) => j % 2 === 0);
  return {
    kind: 'conversation',
    turnsOf(s: number): number {
      const wanted = draw(o.spec.turns, TOKEN_COUNT, mulberry32(mixSeed(o.seed, 'session', o.key, s)));
      const row = rowFor(s);
      return row ? Math.min(wanted, humanTurns(row).length) : wanted;
    },
    session(s: number): SessionPlan {
      const lengths = mulberry32(mixSeed(o.seed, 'session', o.key, s));
      const wanted = draw(o.spec.turns, TOKEN_COUNT, lengths);
      let users: { text: string; tokens?: number }[];
      let origin: string;
      const row = rowFor(s);
      if (row) {
        users = humanTurns(row).slice(0, wanted).map((text) => ({ text }));
        origin = `dataset line ${row.line}`;
      } else {
        if (!o.vocab || input === undefined) throw new Error('conversationSource: synthetic turns need a vocabulary and input_tokens');
        const vocab = o.vocab;
        users = Array.from({ length: wanted }, (_, t) => {
          const tokens = draw(input, TOKEN_COUNT, lengths);
          return { text: textOfTokens(vocab, tokens, mulberry32(mixSeed(o.seed, 'turn', o.key, s, t))), tokens };
        });
        origin = `synthetic session ${s}`;
      }
      const turns = users.map((u, t) => ({
        turn: t,
        user: u.text,
        inputTokens: u.tokens,
        outputTokens: output === undefined ? undefined : draw(output, TOKEN_COUNT, lengths),
        thinkMs: t === 0 ? 0 : draw(o.spec.think_time_ms, DURATION_MS, lengths),
      }));
      return { session: s, turns, origin };
    },
  };
}

/** The messages of a turn: the history so far (user and assistant turns), then the new user turn. */
export function turnMessages(history: readonly ChatMessage[], turn: TurnPlan): ChatMessage[] {
  return [...history, { role: 'user', content: turn.user }];
}

/** The history after a turn was answered: its messages plus the server's answer. */
export function withAnswer(messages: readonly ChatMessage[], answer: string): ChatMessage[] {
  return [...messages, { role: 'assistant', content: answer }];
}

/** Sessions a cell needs for `requests` turns, when the spec does not say. */
export function sessionsFor(spec: ConversationSpec, requests: number): number {
  return spec.sessions ?? Math.max(1, Math.ceil(requests / Math.max(1, meanOf(spec.turns))));
}
