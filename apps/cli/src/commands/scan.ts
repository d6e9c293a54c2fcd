import { scanServer } from '@mcptrust/drift';
import type { CommandModule } from '../command.js';
import { parseDuration, serverCommandFrom } from '../options.js';
import { printFindings } from '../report.js';
import { scanRemoteTarget, sayRemoteWarnings } from '../remote-scan.js';
import { remoteOptions, remoteTargetFrom } from '../remote-target.js';
import { terminalSafeJson } from '../output.js';

/** `mcptrust scan [--pretty] [--timeout 10s] (--url URL | -- <server>)`: the ScanReport as JSON on stdout. */
export const scanCommand: CommandModule = (cli, ctx) =>
  cli.command(
    'scan',
    'Inspect an MCP server: print its tools, prompts, resources, risk levels and findings as JSON',
    (y) =>
      remoteOptions(y, { allowUrlChange: false })
        .usage('Usage: $0 scan [--pretty] [--timeout 10s] (--url URL [--header "Name: value"]... | -- <server command>)')
        .option('pretty', { alias: 'p', type: 'boolean', default: false, describe: 'Indent the JSON output' })
        .option('timeout', { alias: 't', type: 'string', default: '10s', describe: 'Deadline for start-up and every list (e.g. 500ms, 10s, 2m)' })
        .example('$0 scan -- npx -y @modelcontextprotocol/server-filesystem /tmp', 'scan a server given as argv')
        .example('$0 scan --pretty -- "npx -y @modelcontextprotocol/server-everything"', 'one quoted string, split like a shell (never run by one)')
        .example('$0 scan --url https://mcp.example.com/mcp --header "Authorization: Bearer ${EXAMPLE_TOKEN}"', 'a remote server (Streamable HTTP or SSE)'),
    async (argv) => {
      const timeoutMs = parseDuration('timeout', argv.timeout);
      const target = remoteTargetFrom(argv, ctx.io.env);
      if (target !== undefined) sayRemoteWarnings(ctx, target);
      const report =
        target === undefined
          ? await scanServer(serverCommandFrom(argv['--']), { timeoutMs, signal: ctx.signal, env: ctx.io.env })
          : await scanRemoteTarget(target, { timeoutMs, signal: ctx.signal }, ctx);
      printFindings(ctx.io, report.findings);
      ctx.io.stdout.write(`${terminalSafeJson(report, argv.pretty ? 2 : undefined)}\n`);
    },
  );
