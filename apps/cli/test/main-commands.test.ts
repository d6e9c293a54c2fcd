import { describe, expect, it } from '@jest/globals';
import type { Argv } from 'yargs';
import { COMMANDS, selectCommand } from '../src/main.js';
import type { CommandContext } from '../src/command.js';

/** Runs a command module against a stand-in for yargs and returns what it registered first. */
function registration(register: (cli: Argv, ctx: CommandContext) => Argv): unknown[] {
  const calls: unknown[][] = [];
  const cli = new Proxy({} as Record<string, unknown>, {
    get: (_target, key) => (...args: unknown[]) => {
      if (key === 'command') calls.push(args);
      return cli;
    },
  }) as unknown as Argv;
  register(cli, {} as CommandContext);
  return (calls[0] ?? []).slice(0, 2);
}

describe('COMMANDS', () => {
  it.each(COMMANDS.map((entry) => [entry.command, entry] as const))('lists %s exactly as its module registers it', async (_name, entry) => {
    const module = await entry.load();
    expect(registration(module)).toEqual([entry.command, entry.describe]);
  });
});

describe('selectCommand', () => {
  it.each([
    [['scan', '--', 'node', 'server.js'], 'scan'],
    [['sign', 'mcp-lock.json'], 'sign [file]'],
    [['--help', 'lock'], 'lock'],
    [['policy', 'check', '--preset', 'strict'], 'policy'],
  ])('picks the command %j names', (argv, command) => {
    expect(selectCommand(argv)?.command).toBe(command);
  });

  it.each([[['--help']], [['-V']], [[]], [['lokc']], [['--', 'scan']], [['server.js', 'scan']]])('picks none for %j', (argv) => {
    expect(selectCommand(argv)).toBeUndefined();
  });
});
