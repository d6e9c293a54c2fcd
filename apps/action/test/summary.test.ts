import { describe, expect, it } from '@jest/globals';
import { ANNOTATIONS_PER_KIND, annotate, cell, findingsOf, rebaseSarif, renderSummary, repositoryPath } from '../src/index.js';
import type { AnnotationProperties, Finding, SummaryModel } from '../src/index.js';

const finding = (level: Finding['level'], i: number): Finding => ({ level, rule: `rule-${level}`, message: `finding ${level} ${i}`, file: 'mcp-lock.json', line: i + 1 });
const many = (level: Finding['level'], n: number): Finding[] => Array.from({ length: n }, (_, i) => finding(level, i));
const model = (findings: Finding[]): SummaryModel => ({ title: 'MCPTrust check', outcome: 'FAIL', intro: [], checks: [], findings, files: ['.mcptrust/check.json'] });

describe('renderSummary', () => {
  it('lists every finding, most severe first, when they fit', () => {
    const md = renderSummary(model([finding('note', 0), finding('error', 1), finding('warning', 2)]));
    const rows = md.split('\n').filter((l) => l.startsWith('| 🔴') || l.startsWith('| 🟠') || l.startsWith('| 🔵'));
    expect(rows.map((r) => r.slice(0, 4))).toEqual(['| 🔴', '| 🟠', '| 🔵']);
    expect(md).not.toContain('more finding');
  });

  it('stays within the byte budget, cutting rows and saying how many and where the rest are', () => {
    const findings = many('error', 20_000).map((f) => ({ ...f, message: `${f.message} ${'x'.repeat(200)}` }));
    const budget = 100_000;
    const md = renderSummary(model(findings), budget);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(budget);
    const shown = md.split('\n').filter((l) => l.startsWith('| 🔴')).length;
    expect(shown).toBeGreaterThan(100);
    expect(md).toContain(`…and ${20_000 - shown} more findings not shown here (the summary is limited to 1 MiB). All of them are in \`.mcptrust/check.json\`.`);
  });

  it('keeps the default budget under the runner’s 1 MiB limit even for one 10 MiB message', () => {
    const md = renderSummary(model([{ ...finding('error', 0), message: 'd'.repeat(10 * 1024 * 1024) }]));
    expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024);
    expect(md).toContain('more characters)');
  });

  it('renders the error of a run that could not complete, with its log fenced', () => {
    const md = renderSummary({ ...model([]), problem: { message: 'mcptrust exited with code 2', log: ['```', 'server: boom'] } });
    expect(md).toContain('**mcptrust could not complete:** mcptrust exited with code 2');
    expect(md).toContain("```text\n'''\nserver: boom\n```");
  });
});

describe('cell', () => {
  it('renders server text inert: no HTML, no link or image, no table break, no hidden characters', () => {
    const text = cell('<img src=x onerror=alert(1)> ![t](https://t.test/p.png) [a](javascript:x) a|b\nc \u202e `code`');
    expect(text).not.toMatch(/<img|\]\(|\n/);
    expect(text).toContain('&lt;img');
    expect(text).toContain('a\\|b c');
    expect(text).toContain('\\u{202e}');
  });

  it('keeps code spans as code (with their pipes escaped) and escapes an unclosed backtick', () => {
    expect(cell('tool `a|<b>` added')).toBe('tool `a\\|<b>` added');
    expect(cell('half `open <i>')).toBe('half \\`open &lt;i&gt;');
  });
});

describe('annotate', () => {
  function record(findings: Finding[]): { kind: string; message: string; props: AnnotationProperties }[] {
    const out: { kind: string; message: string; props: AnnotationProperties }[] = [];
    annotate(findings, {
      error: (message, props) => out.push({ kind: 'error', message, props }),
      warning: (message, props) => out.push({ kind: 'warning', message, props }),
      notice: (message, props) => out.push({ kind: 'notice', message, props }),
    }, 'the job summary');
    return out;
  }

  it('annotates each finding on its lockfile line when there are few', () => {
    const out = record([finding('error', 4), finding('note', 1)]);
    expect(out).toEqual([
      { kind: 'error', message: 'finding error 4', props: { title: 'rule-error', file: 'mcp-lock.json', startLine: 5 } },
      { kind: 'notice', message: 'finding note 1', props: { title: 'rule-note', file: 'mcp-lock.json', startLine: 2 } },
    ]);
  });

  it('shows at most 10 of each kind and one notice counting the rest', () => {
    const out = record([...many('error', 25), ...many('warning', 3), ...many('note', 12)]);
    const count = (kind: string): number => out.filter((a) => a.kind === kind).length;
    expect(count('error')).toBe(ANNOTATIONS_PER_KIND);
    expect(count('warning')).toBe(3);
    expect(count('notice')).toBe(ANNOTATIONS_PER_KIND);
    // 15 errors and 3 notes did not fit; the last notice says so.
    expect(out.at(-1)?.message).toBe('18 more findings not annotated (GitHub shows 10 per kind): see the job summary.');
  });
});

describe('SARIF on the repository', () => {
  it('rebases relative locations and the category onto the repository, and reads findings back', () => {
    const log = {
      runs: [
        {
          automationDetails: { id: 'mcptrust/drift/mcp-lock.json/' },
          results: [
            { ruleId: 'r', level: 'error', message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'mcp-lock.json' }, region: { startLine: 7 } } }] },
            { ruleId: 's', level: 'bogus', message: { text: 'n' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'https://x.test/a' } } }] },
          ],
        },
      ],
    };
    const rebased = rebaseSarif(log, (p) => repositoryPath('/ws', '/ws/servers/a', p));
    expect(findingsOf(rebased)).toEqual([
      { level: 'error', rule: 'r', message: 'm', file: 'servers/a/mcp-lock.json', line: 7 },
      { level: 'warning', rule: 's', message: 'n', file: 'https://x.test/a' },
    ]);
    expect(log.runs[0]?.automationDetails.id).toBe('mcptrust/drift/servers/a/mcp-lock.json/');
  });

  it('keeps a path outside the workspace absolute', () => {
    expect(repositoryPath('/ws', '/ws', '../elsewhere/l.json')).toBe('/elsewhere/l.json');
  });
});
