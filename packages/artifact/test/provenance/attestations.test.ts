import { describe, expect, it } from '@jest/globals';
import type { GuardedClient, GuardedRequest, GuardedResponse } from '../../src/net/guarded-client.types.js';
import { attestationsUrl, fetchAttestations } from '../../src/provenance/attestations.js';

/** A GuardedClient answering one canned response and recording what was asked. */
function cannedClient(status: number, body: unknown): { client: GuardedClient; calls: Array<{ url: string; init?: GuardedRequest }> } {
  const calls: Array<{ url: string; init?: GuardedRequest }> = [];
  const request = async (url: string, init?: GuardedRequest): Promise<GuardedResponse> => {
    calls.push({ url, ...(init === undefined ? {} : { init }) });
    return { status, headers: {}, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), url };
  };
  const unused = async (): Promise<never> => {
    throw new Error('only request() is expected');
  };
  return { client: { request, get: unused, getJson: unused }, calls };
}

const ATTESTATIONS = {
  attestations: [
    { predicateType: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1', bundle: { mediaType: 'x' } },
    { predicateType: 'https://slsa.dev/provenance/v1', bundle: { mediaType: 'y' } },
  ],
};

describe('fetchAttestations', () => {
  it('asks the attestations endpoint, scoped names with an encoded slash, capped at 16 MiB', async () => {
    const { client, calls } = cannedClient(200, ATTESTATIONS);
    expect(await fetchAttestations(client, 'https://registry.example/', '@acme/mcp-server', '1.2.3', { authorization: 'Bearer t' })).toEqual(ATTESTATIONS.attestations);
    expect(calls[0]?.url).toBe('https://registry.example/-/npm/v1/attestations/@acme%2fmcp-server@1.2.3');
    expect(calls[0]?.init?.maxBytes).toBe(16 * 1024 * 1024);
    expect(calls[0]?.init?.headers?.['authorization']).toBe('Bearer t');
    expect(attestationsUrl('https://registry.example/npm', 'plain', '1.0.0-rc.1')).toBe('https://registry.example/npm/-/npm/v1/attestations/plain@1.0.0-rc.1');
  });

  it('returns undefined when the registry has none (404)', async () => {
    expect(await fetchAttestations(cannedClient(404, { error: 'not found' }).client, 'https://registry.example/', 'plain', '1.0.0', {})).toBeUndefined();
  });

  it('refuses a malformed answer or another status, naming the URL', async () => {
    const url = 'https://registry.example/-/npm/v1/attestations/plain@1.0.0';
    for (const body of [{ attestations: [{ predicateType: 'x' }] }, { attestations: 'none' }, { attestations: [{ predicateType: 1, bundle: {} }] }]) {
      const failure = fetchAttestations(cannedClient(200, body).client, 'https://registry.example/', 'plain', '1.0.0', {});
      await expect(failure).rejects.toMatchObject({ code: 'RESOLVE_FAILED' });
      await expect(failure).rejects.toThrow(`${url} answered something other than`);
    }
    await expect(fetchAttestations(cannedClient(200, 'not json').client, 'https://registry.example/', 'plain', '1.0.0', {})).rejects.toThrow(`${url} did not answer JSON`);
    await expect(fetchAttestations(cannedClient(503, '').client, 'https://registry.example/', 'plain', '1.0.0', {})).rejects.toThrow(`${url} answered HTTP 503`);
  });
});
