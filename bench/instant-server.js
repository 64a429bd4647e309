// A server that answers instantly, in its own process: the client is the only limit.
// POST .../chat/completions: JSON when stream is false; with stream true, `chunks` SSE
// content chunks (body field `chunks`, default 1) then a usage chunk and [DONE].
// GET /stats: {"finished": n}, the answers written out so far (the SIGKILL loss bound).
import { createServer } from 'node:http';

const json = JSON.stringify({
  id: 'x',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});
const piece = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'tok' }, finish_reason: null }] })}\n\n`;

let finished = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.end(JSON.stringify({ finished }));
    return;
  }
  res.on('finish', () => finished++);
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    let body = {};
    try {
      body = JSON.parse(Buffer.concat(parts).toString());
    } catch {}
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json);
      return;
    }
    const n = Number(body.chunks ?? 1);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // Write in batches of 64 chunks: many SSE events per network read, as a fast server does.
    for (let i = 0; i < n; i += 64) res.write(piece.repeat(Math.min(64, n - i)));
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'length' }] })}\n\n`);
    res.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: n, total_tokens: n + 3 } })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
