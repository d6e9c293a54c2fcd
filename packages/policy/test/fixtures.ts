import type { ScanReport } from '@mcptrust/lockfile';

/** A small scan with every kind of item (hand-written, shaped like server-filesystem's). */
export function sampleScan(): ScanReport {
  return {
    reportVersion: 1,
    scannedAt: '2025-01-01T00:00:00.000Z',
    server: {
      name: 'sample-server',
      version: '1.2.3',
      title: 'Sample',
      protocolVersion: '2025-06-18',
      capabilities: { tools: { listChanged: true }, resources: {} },
      instructions: 'Use the tools carefully.',
    },
    tools: [
      {
        name: 'read_file',
        title: 'Read',
        description: 'Read a file.',
        inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'], maxProperties: 3 },
        outputSchema: { type: 'object' },
        annotations: { readOnlyHint: true },
        riskLevel: 'LOW',
        riskReasons: [],
      },
      {
        name: 'write_file',
        description: 'Write a file.',
        inputSchema: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } } },
        riskLevel: 'HIGH',
        riskReasons: ['writes files'],
      },
    ],
    prompts: [{ name: 'greet', title: 'Greet', description: 'Greets.', arguments: [{ name: 'who', description: 'Whom', required: true }] }],
    resources: [
      { uri: 'https://example.invalid/doc', name: 'doc', mimeType: 'text/plain' },
      { uri: 'File:///etc/hosts', name: 'hosts', description: 'Hosts file', title: 'Hosts' },
    ],
    resourceTemplates: [{ uriTemplate: 'mem://notes/{id}', name: 'note', description: 'A note', mimeType: 'text/markdown', title: 'Note' }],
    findings: [
      {
        code: 'HIGH_RISK_TOOL',
        severity: 'high',
        itemType: 'tool',
        itemId: 'write_file',
        field: 'name',
        message: 'write_file can change files.',
      },
      { code: 'URL', severity: 'warning', itemType: 'prompt', itemId: 'greet', field: 'description', message: 'has a URL', evidence: 'x' },
    ],
  };
}
