export interface StreamParser {
  push(chunk: Uint8Array): void;
  end(): void;
}
