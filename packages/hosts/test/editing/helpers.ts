import { diffLines } from 'diff';

/** The lines a change removes and adds (whole lines, line endings kept). */
export function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const removed: string[] = [];
  const added: string[] = [];
  for (const part of diffLines(before, after)) {
    const lines = part.value.split(/(?<=\n)/).filter((line) => line.length > 0);
    if (part.removed) removed.push(...lines);
    if (part.added) added.push(...lines);
  }
  return { removed, added };
}

export const WRAP = ['/opt/node/bin/node', '/opt/mcptrust/dist/mcptrust.js', 'proxy', '--lock', '/home/u/.mcptrust/locks/x.mcp-lock.json', '--'];

/** The edits that wrap a standard entry at `path` whose command line is `command args…`. */
export function wrapEdits(path: readonly (string | number)[], command: string, args: string[]): { path: (string | number)[]; value: unknown }[] {
  const [node, ...rest] = WRAP as [string, ...string[]];
  return [
    { path: [...path, 'command'], value: node },
    { path: [...path, 'args'], value: [...rest, command, ...args] },
  ];
}
