/**
 * Records the sessions the mutation fuzzer replays (recordings/*.json): the SDK Client
 * talks to the real server-everything and server-filesystem through `guardTransport`,
 * and every text the engine receives from either side is written down in arrival order,
 * with the lockfile the session ran under.
 *
 * Regenerate (from packages/proxy-core):
 *   MCPTRUST_FUZZ_RECORD=1 node --experimental-vm-modules ../../node_modules/jest/bin/jest.js test/fuzz/record-sessions.test.ts
 * Without the variable the recorder is skipped: the recordings are committed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Lockfile } from '@mcptrust/lockfile';
import { guardTransport } from '../../src/guard-transport.js';
import { EVERYTHING_SERVER, lockServer } from '../helpers/e2e.js';
import { Oracle } from './oracle.js';
import { ROOT_PLACEHOLDER, type Recording } from './replay.js';

const RECORD = process.env['MCPTRUST_FUZZ_RECORD'] === '1';
const FILESYSTEM_SERVER = fileURLToPath(new URL('../../../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', import.meta.url));
const out = (name: string) => fileURLToPath(new URL(`./recordings/${name}.json`, import.meta.url));

/** A transport between the guard and the real one that notes what the server sends. */
class Tap implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  constructor(
    private readonly inner: Transport,
    private readonly events: Recording['events'],
  ) {}
  async start(): Promise<void> {
    this.inner.onmessage = (m) => {
      this.events.push(['s', JSON.stringify(m)]);
      this.onmessage?.(m);
    };
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (e) => this.onerror?.(e);
    await this.inner.start();
  }
  send(message: JSONRPCMessage): Promise<void> {
    return this.inner.send(message);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

async function record(name: string, args: string[], lockfile: Lockfile, session: (c: Client) => Promise<void>, root?: string): Promise<void> {
  const events: Recording['events'] = [];
  const inner = new StdioClientTransport({ command: process.execPath, args, stderr: 'ignore' });
  // The same id source as the replay's, so the recorded answers name the replayed ids.
  const guarded = guardTransport(new Tap(inner, events), { lockfile, preflight: false, randomId: new Oracle().randomId() });
  const send = guarded.send.bind(guarded);
  guarded.send = async (m) => {
    events.push(['h', JSON.stringify(m)]);
    return send(m);
  };
  const client = new Client({ name: 'recorder', version: '1.0.0' }, { capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: {} } });
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: root === undefined ? [] : [{ uri: 'file://' + root, name: 'root' }] }));
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: 'sampled' }, model: 'recorder' }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' }));
  await client.connect(guarded);
  try {
    await session(client);
  } finally {
    await client.close();
  }
  const scrub = (s: string) => (root === undefined ? s : s.split(root).join(ROOT_PLACEHOLDER));
  const recording: Recording = {
    about: `${name}: the SDK Client through guardTransport; 'h' = a text from the host, 's' = a text from the server, in arrival order`,
    regenerate: 'MCPTRUST_FUZZ_RECORD=1 node --experimental-vm-modules ../../node_modules/jest/bin/jest.js test/fuzz/record-sessions.test.ts (from packages/proxy-core)',
    lockfile: JSON.parse(scrub(JSON.stringify(lockfile))),
    events: events.map(([from, text]) => [from, scrub(text)]),
  };
  writeFileSync(out(name), JSON.stringify(recording, null, 1) + '\n');
  expect(events.length).toBeGreaterThan(10);
}

/** Runs `f`, ignoring the rejection a denied call gets. */
const attempt = async (f: () => Promise<unknown>): Promise<void> => {
  await f().catch(() => undefined);
};

(RECORD ? describe : describe.skip)('recording sessions for the mutation fuzzer', () => {
  it('records a session with server-everything', async () => {
    const lockfile = await lockServer(process.execPath, [EVERYTHING_SERVER], (scan) => {
      // Denied on purpose, so the session has refusals and filtered lists.
      scan.tools = scan.tools.filter((t) => !['get-env', 'gzip-file-as-resource', 'toggle-simulated-logging', 'simulate-research-query'].includes(t.name));
      scan.prompts = scan.prompts.filter((p) => p.name !== 'resource-prompt');
    });
    await record('server-everything', [EVERYTHING_SERVER], lockfile, async (c) => {
      await c.listTools();
      await c.listPrompts();
      await c.listResources();
      await c.listResourceTemplates();
      await c.ping();
      await attempt(() => c.callTool({ name: 'echo', arguments: { message: 'hello from the recorder' } }));
      await attempt(() => c.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } }));
      await attempt(() => c.callTool({ name: 'get-sum', arguments: { a: 'two' } }));
      await attempt(() => c.callTool({ name: 'get-env', arguments: {} }));
      await attempt(() => c.callTool({ name: 'get-structured-content', arguments: { location: 'New York' } }));
      await attempt(() => c.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 2 } }, undefined, { onprogress: () => undefined }));
      await attempt(() => c.getPrompt({ name: 'simple-prompt' }));
      await attempt(() => c.getPrompt({ name: 'args-prompt', arguments: { city: 'Paris', state: 'TX' } }));
      await attempt(() => c.getPrompt({ name: 'resource-prompt', arguments: { resourceType: 'Text', resourceId: '1' } }));
      await attempt(() => c.readResource({ uri: 'demo://resource/dynamic/text/1' }));
      await attempt(() => c.readResource({ uri: 'demo://resource/dynamic/text/..%2f..%2fsecret' }));
      await attempt(() => c.complete({ ref: { type: 'ref/prompt', name: 'completable-prompt' }, argument: { name: 'department', value: 'E' } }));
      await attempt(() => c.callTool({ name: 'no-such-tool', arguments: {} }));
    });
  }, 60_000);

  it('records a session with server-filesystem', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mcptrust-fuzz-root-'));
    try {
      writeFileSync(join(root, 'notes.txt'), 'first line\nsecond line\n');
      const lockfile = await lockServer(process.execPath, [FILESYSTEM_SERVER, root], (scan) => {
        // A read-only policy: the writing tools are denied.
        scan.tools = scan.tools.filter((t) => !['write_file', 'edit_file', 'move_file', 'create_directory'].includes(t.name));
      });
      await record(
        'server-filesystem',
        [FILESYSTEM_SERVER, root],
        lockfile,
        async (c) => {
          await c.listTools();
          await attempt(() => c.callTool({ name: 'list_allowed_directories', arguments: {} }));
          await attempt(() => c.callTool({ name: 'list_directory', arguments: { path: root } }));
          await attempt(() => c.callTool({ name: 'read_text_file', arguments: { path: join(root, 'notes.txt') } }));
          await attempt(() => c.callTool({ name: 'get_file_info', arguments: { path: join(root, 'notes.txt') } }));
          await attempt(() => c.callTool({ name: 'search_files', arguments: { path: root, pattern: 'notes' } }));
          await attempt(() => c.callTool({ name: 'write_file', arguments: { path: join(root, 'x.txt'), content: 'x' } }));
          await attempt(() => c.callTool({ name: 'read_text_file', arguments: { path: '/etc/hostname' } }));
          await attempt(() => c.listPrompts());
        },
        root,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
