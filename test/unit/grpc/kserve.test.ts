import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kserveService, protoPath } from '../../../src/grpc/kserve.js';

const repo = path.resolve(import.meta.dirname, '../../..');

describe('the KServe v2 service definition', () => {
  it('has the RPCs llm-sweep calls, at the protocol paths', () => {
    const s = kserveService();
    expect(s.ModelStreamInfer.path).toBe('/inference.GRPCInferenceService/ModelStreamInfer');
    expect(s.ModelStreamInfer.requestStream && s.ModelStreamInfer.responseStream).toBe(true);
    expect(Object.keys(s).sort()).toEqual(['ModelInfer', 'ModelMetadata', 'ModelReady', 'ModelStreamInfer', 'ServerLive']);
  });

  it('finds the .proto from the built package, and the package ships it', async () => {
    expect(protoPath()).toBe(path.join(repo, 'proto/kserve-v2.proto'));
    const built = (await import(path.join(repo, 'dist/grpc/kserve.js'))) as { protoPath(): string };
    expect(existsSync(built.protoPath())).toBe(true);
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, encoding: 'utf8' })) as { files: { path: string }[] }[];
    expect(packed[0].files.map((f) => f.path)).toContain('proto/kserve-v2.proto');
  });
});
