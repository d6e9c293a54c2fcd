/**
 * A short soak (bench/soak/run.mjs) through the built `mcptrust proxy` and through the
 * same bridge in process: correctness only — every request answered exactly once (the
 * timeout error for calls past the deadline, nothing for cancelled calls), denied
 * tools and drifted definitions never shown, no crash, and the engine's tables empty
 * or bounded at the end. Speed and memory figures are the soak's own report
 * (docs/SOAK.md), never asserted here.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE, isAlive } from './helpers.js';

const SOAK = fileURLToPath(new URL('../../../bench/soak/run.mjs', import.meta.url));
const MESSAGES = 20_000;
/** The tombstone set's cap in the engine's pending table. */
const MAX_TOMBSTONES = 4096;

interface SoakResult {
  target: 'cli' | 'in-process';
  messages: number;
  counts: Record<string, number>;
  failures: string[];
  failureCount: number;
  final: { inFlight: number; tables?: { pending: number; serverRequests: number; tombstones?: number } };
  maxPending?: number;
  maxTombstones?: number;
  exit: { code: number | null; signal: string | null };
}

let child: ChildProcess | undefined;
afterAll(async () => {
  if (child?.pid !== undefined && child.pid > 0 && isAlive(child.pid)) {
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('close', r));
  }
});

function runSoak(): Promise<{ code: number | null; report: { ok: boolean; results: SoakResult[] }; stderr: string }> {
  return new Promise((resolve, reject) => {
    child = spawn(NODE, [SOAK, '--messages', String(MESSAGES), '--target', 'both', '--seed', '17', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        resolve({ code, report: JSON.parse(out) as { ok: boolean; results: SoakResult[] }, stderr: err });
      } catch (error) {
        reject(new Error(`the soak printed no report (exit ${String(code)}): ${err}\n${out.slice(0, 2000)}`, { cause: error }));
      }
    });
  });
}

describe('soak smoke: 2·10⁴ messages with drift, cancellations and timeouts', () => {
  it('answers every request exactly once, never shows what is denied, and ends with empty tables', async () => {
    const { code, report, stderr } = await runSoak();
    expect(stderr).toBe('');
    expect(report.results.map((r) => r.target)).toEqual(['cli', 'in-process']);
    for (const r of report.results) {
      expect({ target: r.target, failures: r.failures }).toEqual({ target: r.target, failures: [] });
      expect(r.messages).toBeGreaterThanOrEqual(MESSAGES);
      // Exactly once: no second answer, no answer to a cancelled call, none left waiting.
      expect(r.counts['unexpected']).toBe(0);
      expect(r.counts['answeredAfterCancel']).toBe(0);
      expect(r.final.inFlight).toBe(0);
      // The mix really ran: each kind of trouble happened.
      for (const kind of ['medium', 'large', 'cancelled', 'timeouts', 'listChanged', 'lists', 'denied']) expect(r.counts[kind]).toBeGreaterThan(0);
      expect(r.exit).toEqual({ code: 0, signal: null });
    }
    const inProcess = report.results.find((r) => r.target === 'in-process')!;
    expect(inProcess.final.tables).toMatchObject({ pending: 0, serverRequests: 0 });
    // Tombstones outlive their requests by design (a late answer must be recognised), capped.
    expect(inProcess.final.tables?.tombstones).toBeGreaterThan(0);
    expect(inProcess.maxTombstones).toBeLessThanOrEqual(MAX_TOMBSTONES);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  }, 90_000);
});
