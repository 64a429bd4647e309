/**
 * A KServe v2 server on @grpc/grpc-js, the reference gRPC implementation for Node: the test
 * fakes run on it so that llm-sweep's own client (src/grpc/grpc-client.ts, on node:http2) is
 * tested against someone else's server. Handlers in grpc-js' own style.
 */
import {
  logVerbosity,
  Server,
  ServerCredentials,
  setLogVerbosity,
  type handleBidiStreamingCall,
  type handleUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { kserveService, type ModelInferRequest, type ModelInferResponse, type ModelMetadataResponse, type ModelRef, type ModelStreamInferResponse } from '../../src/grpc/kserve.js';

if (!process.env.GRPC_VERBOSITY) setLogVerbosity(logVerbosity.NONE);

export interface GrpcJsHandlers {
  ServerLive?: handleUnaryCall<Record<string, never>, { live: boolean }>;
  ModelReady?: handleUnaryCall<ModelRef, { ready: boolean }>;
  ModelMetadata?: handleUnaryCall<ModelRef, ModelMetadataResponse>;
  ModelInfer?: handleUnaryCall<ModelInferRequest, ModelInferResponse>;
  ModelStreamInfer?: handleBidiStreamingCall<ModelInferRequest, ModelStreamInferResponse>;
}

export async function startGrpcJsServer(
  handlers: GrpcJsHandlers,
  opts: { tls?: { key: Buffer; cert: Buffer } } = {},
): Promise<{ port: number; url: string; close(): Promise<void> }> {
  const server = new Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
  server.addService(kserveService() as unknown as ServiceDefinition, handlers as unknown as UntypedServiceImplementation);
  const creds = opts.tls
    ? ServerCredentials.createSsl(null, [{ private_key: opts.tls.key, cert_chain: opts.tls.cert }], false)
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    url: `${opts.tls ? 'grpcs' : 'grpc'}://127.0.0.1:${port}`,
    close: async () => server.forceShutdown(),
  };
}
