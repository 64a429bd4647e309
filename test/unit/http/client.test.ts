import { describe, expect, it } from 'vitest';
import { BODY_LIMITS } from '../../../src/http/client.js';

describe('http client axios options', () => {
  it('sets no maxContentLength (-1): a limit makes axios re-stream every body chunk through an async generator', () => {
    // Infinity is a limit to axios (> -1): it costs ~30% more client CPU per streamed chunk
    // and coalesces chunks (bench/results.md, "Fidelity at hundreds of streams").
    expect(BODY_LIMITS.maxContentLength).toBe(-1);
    expect(BODY_LIMITS.maxRedirects).toBe(0);
  });
});
