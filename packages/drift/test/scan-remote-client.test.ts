import { createServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  CreateMessageResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { ClientCapabilities, Implementation } from '@modelcontextprotocol/sdk/types.js';
import { scanRemoteServer } from '../src/index.js';

/** What the server learnt about the scanner while it listed its tools. */
interface Seen {
  capabilities?: ClientCapabilities;
  clientInfo?: Implementation;
  roots?: unknown;
  sampling?: string;
}

/** A Streamable HTTP server on 127.0.0.1 that lists tools, prompts, resources and templates and, while listing tools, asks the client for roots and a sample. */
async function startProbeServer(): Promise<{ url: string; seen: Seen; close(): Promise<void> }> {
  const seen: Seen = {};
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const newSession = async (): Promise<StreamableHTTPServerTransport> => {
    const server = new Server({ name: 'probe', version: '1.2.3' }, { capabilities: { tools: {}, prompts: {}, resources: {} }, instructions: 'Use the probe.' });
    server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
      seen.capabilities = server.getClientCapabilities();
      seen.clientInfo = server.getClientVersion();
      seen.roots = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema);
      try {
        await extra.sendRequest({ method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } }, CreateMessageResultSchema);
        seen.sampling = 'sampled';
      } catch (error) {
        seen.sampling = (error as Error).message;
      }
      return { tools: [{ name: 'read_file', description: 'Reads a file.', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } }] };
    });
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: [{ name: 'summarize', arguments: [{ name: 'text', required: true }] }] }));
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: [{ uri: 'file:///readme', name: 'readme' }] }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: [{ uriTemplate: 'file:///{path}', name: 'file' }] }));
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => void transports.set(id, transport),
    });
    await server.connect(transport);
    return transport;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const id = req.headers['mcp-session-id'];
    const transport = typeof id === 'string' ? transports.get(id) : await newSession();
    if (transport === undefined) {
      res.writeHead(404).end();
      return;
    }
    await transport.handleRequest(req, res);
  };
  const http: HttpServer = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/mcp`,
    seen,
    close: async () => {
      await Promise.all([...transports.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('scanRemoteServer, as a client', () => {
  it('declares the stdio scan\'s capabilities, answers roots with none, refuses sampling and lists everything', async () => {
    const probe = await startProbeServer();
    servers.push(probe);
    const report = await scanRemoteServer({ url: probe.url }, { clientInfo: { name: 'scanner-under-test', version: '9.9.9' } });

    // The SDK server reads an empty `elicitation` as form elicitation.
    expect(probe.seen.capabilities).toMatchObject({ roots: { listChanged: true }, sampling: {}, elicitation: {} });
    expect(Object.keys(probe.seen.capabilities ?? {}).sort()).toEqual(['elicitation', 'roots', 'sampling']);
    expect(probe.seen.clientInfo).toMatchObject({ name: 'scanner-under-test', version: '9.9.9' });
    expect(probe.seen.roots).toEqual({ roots: [] });
    expect(probe.seen.sampling).toContain('does not sample');

    expect(report.server).toMatchObject({ name: 'probe', version: '1.2.3', instructions: 'Use the probe.', url: probe.url, capabilities: { tools: {}, prompts: {}, resources: {} } });
    expect(report.tools.map((t) => [t.name, t.riskLevel])).toEqual([['read_file', expect.any(String)]]);
    expect(report.prompts).toEqual([{ name: 'summarize', arguments: [{ name: 'text', required: true }] }]);
    expect(report.resources).toEqual([{ uri: 'file:///readme', name: 'readme' }]);
    expect(report.resourceTemplates).toEqual([{ uriTemplate: 'file:///{path}', name: 'file' }]);
  });
});
