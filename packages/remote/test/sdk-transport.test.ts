// The SDK Client over createUpstreamClientTransport, against the shared SDK fixture server
// on loopback: the scanner's path.
import { afterEach, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startMcpHttpServer, startMisbehavingServer } from '@mcptrust/tooling/test-support/http-servers.mjs';
import { createUpstreamClientTransport } from '../src/sdk-transport.js';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('createUpstreamClientTransport', () => {
  it('lets the SDK Client list and call tools (stateless server: no GET stream, a warning)', async () => {
    const server = await startMcpHttpServer({ stateless: true });
    cleanups.push(() => server.close());
    const client = new Client({ name: 'mcptrust-test', version: '0.0.0' });
    let warn: (message: string) => void = () => undefined;
    const warned = new Promise<string>((resolve) => (warn = resolve));
    const transport = createUpstreamClientTransport({ endpoint: { url: server.url }, onWarning: (m) => warn(m) });
    let closed = 0;
    await client.connect(transport);
    transport.onclose = ((previous) => () => {
      closed += 1;
      previous?.();
    })(transport.onclose);
    cleanups.push(() => client.close());
    expect(transport.sessionId).toBeUndefined();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'add']));
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    expect(JSON.stringify(result.content)).toContain('5');
    await client.close();
    expect(closed).toBe(1);
    expect(await warned).toContain('405');
  });

  it('sends DELETE on close of a stateful session', async () => {
    const server = await startMcpHttpServer();
    cleanups.push(() => server.close());
    const client = new Client({ name: 'mcptrust-test', version: '0.0.0' });
    await client.connect(createUpstreamClientTransport({ endpoint: { url: server.url } }));
    await client.listTools();
    const sessionId = server.sessionIds()[0];
    await client.close();
    expect((await server.waitForRequest((r) => r.method === 'DELETE')).sessionId).toBe(sessionId);
  });

  it('answers a request the upstream client failed with a JSON-RPC error instead of leaving it pending', async () => {
    const server = await startMisbehavingServer('wrong-content-type');
    cleanups.push(() => server.close());
    const client = new Client({ name: 'mcptrust-test', version: '0.0.0' });
    const transport = createUpstreamClientTransport({ endpoint: { url: server.url, transport: 'streamable-http' } });
    await client.connect(transport);
    cleanups.push(() => client.close());
    await expect(client.listTools()).rejects.toThrow(/content type/);
  });

  it('hands the RemoteError of a failed request to onerror and, in process, as the answer\'s data', async () => {
    const server = await startMisbehavingServer('status-500');
    cleanups.push(() => server.close());
    const client = new Client({ name: 'mcptrust-test', version: '0.0.0' });
    const transport = createUpstreamClientTransport({ endpoint: { url: server.url, transport: 'streamable-http' } });
    await client.connect(transport);
    cleanups.push(() => client.close());
    const errors: unknown[] = [];
    transport.onerror = ((previous) => (error: Error) => {
      errors.push(error);
      previous?.(error);
    })(transport.onerror);
    const failure = await client.listTools().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: -32000, data: { code: 'HTTP_STATUS', status: 500 } });
    expect(errors).toEqual([expect.objectContaining({ name: 'RemoteError', code: 'HTTP_STATUS' })]);
  });

  it('refuses a plain-http URL to a host that is not loopback when started', async () => {
    const transport = createUpstreamClientTransport({ endpoint: { url: 'http://example.com/mcp' } });
    await expect(transport.start()).rejects.toMatchObject({ code: 'INSECURE_URL' });
  });
});
