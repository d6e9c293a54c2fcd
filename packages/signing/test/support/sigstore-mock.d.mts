/** A running loopback Sigstore stack. */
export interface MockSigstore {
  url: string;
  trustedRoot: Record<string, unknown>;
  requests: string[];
  close(): Promise<void>;
}
export function identityToken(options?: { issuer?: string; email?: string }): string;
export function startMockSigstore(): Promise<MockSigstore>;
