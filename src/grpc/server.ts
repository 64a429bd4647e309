/**
 * A KServe v2 gRPC server on @grpc/grpc-js, for the bundled simulator and the test fakes:
 * give it handlers for the RPCs you serve (the others answer UNIMPLEMENTED), a host and a
 * port (0 = any free one), and optionally a TLS key pair.
 */
import {
  Server,
  ServerCredentials,
  type handleBidiStreamingCall,
  type handleUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { kserveService, type ModelInferRequest, type ModelInferResponse, type ModelMetadataResponse, type ModelRef, type ModelStreamInferResponse } from './kserve.js';

export interface KserveHandlers {
  ServerLive?: handleUnaryCall<Record<string, never>, { live: boolean }>;
  ModelReady?: handleUnaryCall<ModelRef, { ready: boolean }>;
  ModelMetadata?: handleUnaryCall<ModelRef, ModelMetadataResponse>;
  ModelInfer?: handleUnaryCall<ModelInferRequest, ModelInferResponse>;
  ModelStreamInfer?: handleBidiStreamingCall<ModelInferRequest, ModelStreamInferResponse>;
}

export interface KserveServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** PEM key and certificate: serve grpcs://. */
  tls?: { key: Buffer; cert: Buffer };
}

export interface RunningKserveServer {
  port: number;
  /** grpc://host:port (grpcs:// with TLS). */
  url: string;
  /** Ends every call and stops listening. */
  close(): Promise<void>;
}

export async function startKserveServer(handlers: KserveHandlers, opts: KserveServerOptions = {}): Promise<RunningKserveServer> {
  const server = new Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
  server.addService(kserveService() as unknown as ServiceDefinition, handlers as unknown as UntypedServiceImplementation);
  const host = opts.host ?? '127.0.0.1';
  const creds = opts.tls
    ? ServerCredentials.createSsl(null, [{ private_key: opts.tls.key, cert_chain: opts.tls.cert }], false)
    : ServerCredentials.createInsecure();
  const bindHost = host.includes(':') ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${bindHost}:${opts.port ?? 0}`, creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    url: `${opts.tls ? 'grpcs' : 'grpc'}://${bindHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}
