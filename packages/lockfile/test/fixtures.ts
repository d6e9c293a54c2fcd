/**
 * Shared test data: where the reference vectors live, and a small scan of a server with
 * every kind of item.
 */
import { readFileSync } from 'node:fs';
import type { ScanReport } from '@mcptrust/lockfile';

/**
 * RFC 8785 reference vectors (input → output bytes), from the JCS reference
 * implementation's testdata, Apache-2.0 (see SOURCE.md and LICENSE in the folder).
 */
export const RFC8785_VECTORS = new URL('./vectors/rfc8785/', import.meta.url);

/**
 * Files written by the Go mcptrust (lockfiles, canonical forms, list responses),
 * Apache-2.0 (see SOURCE.md and LICENSE in the folder).
 */
export const GO_VECTORS = new URL('./vectors/mcptrust-go/', import.meta.url);

/** Reads a vector file as text. */
export function readVector(folder: URL, name: string): string {
  return readFileSync(new URL(name, folder), 'utf8');
}

/** Reads a vector file as bytes. */
export function readVectorBytes(folder: URL, name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, folder)));
}

/** A fixed timestamp so that built lockfiles are byte-stable. */
export const UPDATED_AT = '2025-01-31T12:00:00.000Z';

/** A scan of a small server: two tools, two prompts, a template and two static resources. */
export function sampleScan(): ScanReport {
  return {
    reportVersion: 1,
    scannedAt: UPDATED_AT,
    server: {
      name: 'example-server',
      version: '1.2.3',
      protocolVersion: '2025-06-18',
      capabilities: { tools: { listChanged: true }, prompts: {}, resources: { subscribe: false } },
      instructions: 'Use read_file for files.\r\nNever guess paths.  ',
    },
    tools: [
      {
        name: 'read_file',
        title: 'Read file',
        description: 'Reads a file from the allowed directories.',
        inputSchema: { type: 'object', properties: { path: { type: 'string', description: 'Path to read' } }, required: ['path'] },
        outputSchema: { type: 'object', properties: { content: { type: 'string' } } },
        annotations: { readOnlyHint: true, openWorldHint: false },
        riskLevel: 'MEDIUM',
        riskReasons: ['reads files'],
      },
      {
        name: 'exec_shell',
        description: 'Runs a shell command.',
        inputSchema: { type: 'object', properties: { command: { type: 'string' }, timeout: { type: 'number', maximum: 1.5e3, minimum: 0.5 } } },
        riskLevel: 'HIGH',
        riskReasons: ['executes commands'],
      },
    ],
    prompts: [
      {
        name: 'summarize',
        description: 'Summarize the given text',
        arguments: [
          { name: 'text', description: 'The text', required: true },
          { name: 'style', title: 'Style', required: false },
        ],
      },
      { name: 'greet' },
    ],
    resources: [
      { uri: 'file:///readme.md', name: 'README', mimeType: 'text/markdown', description: 'The readme' },
      { uri: 'file:///LICENSE', name: 'License', title: 'License text' },
    ],
    resourceTemplates: [{ uriTemplate: 'file:///{path}', name: 'Files', description: 'Any file', mimeType: 'application/octet-stream' }],
    findings: [],
  };
}
