/**
 * A conversation cell: sessions run concurrently, at most `concurrency` at once; within a
 * session the turns go in order, each carrying the history so far with the server's own
 * answers, after the think time. A turn that fails ends its session (the next turn would
 * have no answer to build on). Records carry session and turn (prompt_id and repeat, so
 * resume keys stay unique: request index = turn x sessions + session). On --resume a session
 * with a missing turn is replayed from its start, recording only the missing turns.
 */
import { CellColumns } from '../metrics/cell-columns.js';
import { estimateTokens } from '../metrics/tokens.js';
import { messagesText } from '../plan/prompts.js';
import { turnMessages, withAnswer, type ConversationSource } from '../plan/workloads/conversation.js';
import type { WorkloadPrompt } from '../plan/workloads/types.js';
import type { ChatMessage } from '../spec/schema.js';
import { closedLoop, sleepUntil, type CellContext, type CellRun } from './run-cell.js';
import { toRecord } from './to-record.js';

export interface SessionsContext extends Omit<CellContext, 'source'> {
  source: ConversationSource;
  /** Sessions of the cell (recorded ones; warmup sessions come on top). */
  sessions: number;
}

export async function runSessions(ctx: SessionsContext): Promise<CellRun> {
  const { cell } = ctx;
  const columns = ctx.columns ?? new CellColumns();
  const S = ctx.sessions;
  const wanted = (s: number, t: number) => !ctx.only || ctx.only.has(t * S + s);
  let start = performance.now();

  const runSession = async (s: number, recorded: boolean, lane?: number): Promise<void> => {
    const plan = ctx.source.session(s);
    let last = plan.turns.length - 1;
    if (recorded && ctx.only) while (last >= 0 && !wanted(s, last)) last--;
    let history: ChatMessage[] = [];
    // Tokens of the history as written (user turns) and as the server counted them (answers).
    let historyTokens: number | undefined = 0;
    for (const turn of plan.turns) {
      if (turn.turn > last || ctx.stop.aborted) return;
      if (turn.thinkMs > 0) await sleepUntil(performance.now() + turn.thinkMs, ctx.stop);
      if (ctx.stop.aborted) return;
      const messages = turnMessages(history, turn);
      const inputTokens: number | undefined = historyTokens === undefined || turn.inputTokens === undefined ? undefined : historyTokens + turn.inputTokens;
      const prompt: WorkloadPrompt = {
        id: s,
        messages,
        text: messagesText(messages),
        origin: plan.origin,
        inputTokens,
        outputTokens: turn.outputTokens,
      };
      // The history lives here; each turn crosses to the exchanger as data, on the session's lane
      // (one worker thread keeps a conversation, as one client would).
      const result = await ctx.exchanger.send(prompt, ctx.abort, lane);
      // Cut by Ctrl-C: not recorded, so --resume runs it (and the session) again.
      if (result.errorKind === 'aborted' && (ctx.abort.aborted || ctx.stop.aborted)) return;
      const record = toRecord(result, {
        cell,
        prompt,
        repeat: turn.turn,
        cellStart: start,
        promptTokenEstimate: () => estimateTokens(prompt.text),
        inputTokens,
        outputTokens: turn.outputTokens,
        session: s,
        turn: turn.turn,
      });
      if (recorded && wanted(s, turn.turn)) {
        ctx.onRecord(record, result);
        columns.push(record);
      }
      if (!result.ok) return;
      const answered = record.tokens_source === 'usage' ? record.completion_tokens : undefined;
      historyTokens = inputTokens === undefined || answered === undefined ? undefined : inputTokens + answered;
      history = withAnswer(messages, result.text);
    }
  };

  if (cell.warmup > 0) {
    await closedLoop(cell.warmup, Math.min(cell.load.concurrency, cell.warmup), ctx.stop, undefined, (w, lane) => runSession(-1 - w, false, lane));
  }
  await ctx.onMeasureStart?.();
  start = performance.now();
  const deadline = cell.duration_s !== undefined ? start + cell.duration_s * 1000 : undefined;
  const only = ctx.only ? new Set([...ctx.only].map((i) => i % S)) : undefined;
  await closedLoop(deadline !== undefined ? undefined : S, cell.load.concurrency, ctx.stop, deadline, (s, lane) => runSession(s, true, lane), only);
  // Sessions number their own requests (turn x S + session); a round of them is the whole cell.
  return { columns, start, stopped: ctx.stop.aborted, next: (ctx.firstIndex ?? 0) + (cell.requests ?? 0) };
}
