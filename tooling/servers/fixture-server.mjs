#!/usr/bin/env node
// MCPTrust fixture server: one configurable, deliberately misbehaving MCP server for tests.
//
// It speaks newline-delimited JSON-RPC 2.0 on stdio by hand (no SDK) so that every
// misbehaviour below can be produced byte for byte. With no flags it is a correct MCP
// server (protocol versions 2024-11-05, 2025-03-26, 2025-06-18, 2025-11-25).
//
// Usage: node fixture-server.mjs [flags]      (flags take `--flag value` or `--flag=value`)
//
// Surface
//   --tools a,b              serve only these tools of the surface (empty value: none)
//   --prompts a,b            serve only these prompts of the surface (empty value: none)
//   --surface FILE.json      replace the default surface with the file's
//                            { tools?, prompts?, resources?, resourceTemplates?,
//                              serverInfo?, instructions?, capabilities? }; items are served
//                            verbatim (even malformed ones)
//   --instructions TEXT      `instructions` in the initialize result
//   --server-name NAME       serverInfo.name (default mcptrust-fixture)
//   --server-version V       serverInfo.version (default 1.0.0)
//   --protocol-version V     answer initialize with V whatever the client asked
//   --page-size N            paginate every list with N items per page (opaque cursors)
//   --progress               when a `slow` call has _meta.progressToken, send three
//                            notifications/progress (progress 1, 2, 3 of total 3) at a
//                            quarter, half and three quarters of `ms`
//   --ignore-client-capabilities
//                            `sample`, `roots`, `elicit` send their request even when the
//                            client did not declare the capability
//   --tool-if-env NAME:TOOL  also serve a tool TOOL (no arguments) when the environment
//                            variable NAME is set, whatever its value (repeatable): a server
//                            whose surface depends on its environment
//   --list-not-found METHOD  answer METHOD (tools/list, prompts/list, resources/list,
//                            resources/templates/list; repeatable, or comma-separated) with
//                            -32601 while still declaring its capability
// Drift
//   --drift-after N          change the surface once the Nth tools/call is over (answered,
//                            or abandoned: hang, cancelled); 0 = right after
//                            notifications/initialized
//   --drift KIND[,KIND]      add-tool | widen-schema | inject-description |
//                            add-static-resource | add-prompt | confusable-tool |
//                            change-annotations (default add-tool); the matching
//                            list_changed notification follows the change
//   --drift-tool NAME        tool changed by widen-schema, inject-description and
//                            change-annotations (default read_file, else the first tool)
//   --add-tool-name NAME     name of the tool add-tool adds (default exec_shell)
// Misbehaviour
//   --duplicate-responses    write every response twice (initialize included)
//   --unsolicited            before each response (initialize included), write a response
//                            to id 1000001, 1000002… that nobody asked for
//   --wrong-id[=MODE]        answer with a wrong id (not for initialize): plus-one (default;
//                            n → n+1, "s" → "s+1") or string (n → "n", "12" → 12,
//                            other strings → null)
//   --confusable             serve `reаd_file` (Cyrillic а, U+0430) next to read_file
//   --stdout-junk            write `Listening on stdio...` before the first response and the
//                            line `fixture-server: this line is not JSON` before every response
//   --oversized-line BYTES   before the first response that is not to initialize, write one
//                            line of exactly BYTES bytes (plus LF), in chunks
//   --crash-after N          answer N tools/calls, then exit with code 3 when the next one
//                            arrives (no answer)
//   --slow-start MS          wait MS milliseconds before reading stdin
//   --never-answer METHOD    swallow requests of METHOD (repeatable, or comma-separated)
//   --both-result-and-error  responses carry both `result` and `error` (not for initialize)
//   --server-request-on-init sampling|roots|elicitation|ping
//                            right after notifications/initialized, send that server→client
//                            request (repeatable, or comma-separated)
//   --log-requests FILE      append every line received on stdin, exactly as received, to FILE
//   --emit-on-init FILE      right after notifications/initialized (and after any
//                            --server-request-on-init request), write each element of the
//                            JSON array in FILE as one stdout line: objects serialized,
//                            strings verbatim (notifications, stray responses, junk)
//   --tasks                  2025-11-25 tasks: declare the tasks capability; a tools/call
//                            with params.task answers a CreateTaskResult (taskId
//                            fixture-task-N) followed by notifications/tasks/status, and
//                            the tool's result is kept for tasks/result; tasks/get,
//                            tasks/result, tasks/cancel answer for known ids (else -32602)
//                            and tasks/list lists them plus a task this client never made
//   --ignore-stdin-close     keep running after stdin ends and ignore SIGTERM
//
// Default surface: tools read_file, list_dir, echo, slow, hang, crash, big, sample, roots,
// elicit; prompt greet; static resource fixture://docs/readme; template
// file:///project/{path}. Nothing is ever executed or read from disk: every result is made
// up. Only protocol messages go to stdout (unless a junk flag asks otherwise); diagnostics
// go to stderr. stdin EOF → exit 0.
//
// Layout: this file parses the flags and composes the pieces under ./fixture/, one module
// per family — options (flags), surface (what is served), output (the one stdout queue),
// framing (junk, oversized and verbatim lines), responses (ids and response shape),
// session (reading, initialize, dispatch, cancellation, --never-answer, --log-requests,
// --list-not-found), lists (paging), prompts-resources (prompts/get, resources/read,
// completions), tools (tools/call, slow/progress, big, crash), server-requests
// (sampling, roots, elicitation, ping), tasks and drift.

import process from 'node:process';
import { log } from './fixture/common.mjs';
import { createDrift } from './fixture/drift.mjs';
import { createFraming } from './fixture/framing.mjs';
import { parseArgs } from './fixture/options.mjs';
import { createOutput } from './fixture/output.mjs';
import { createResponder } from './fixture/responses.mjs';
import { createServerRequests } from './fixture/server-requests.mjs';
import { createSession } from './fixture/session.mjs';
import { loadSurface } from './fixture/surface.mjs';
import { createTasks } from './fixture/tasks.mjs';
import { createTools } from './fixture/tools.mjs';

const options = parseArgs(process.argv.slice(2));
const surface = loadSurface(options);

const output = createOutput();
const framing = createFraming(options, output);
const respond = createResponder(options, output, framing);
const serverRequests = createServerRequests(options, output);
const applyDrift = createDrift(options, surface, output);
const tools = createTools({ options, surface, output, serverRequests, applyDrift });
const tasks = createTasks(tools.callTool, output);
const { handleLine } = createSession({ options, surface, output, framing, respond, serverRequests, tools, tasks, applyDrift });

process.stdout.on('error', (error) => {
  // The client went away; nothing left to talk to.
  log(`stdout closed (${error.code ?? error.message})`);
  process.exit(0);
});

if (options.ignoreStdinClose) {
  process.on('SIGTERM', () => log('ignoring SIGTERM'));
}

function startReading() {
  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      handleLine(line);
      newline = buffer.indexOf('\n');
    }
  });
  process.stdin.on('end', () => {
    if (buffer !== '') handleLine(buffer);
    if (options.ignoreStdinClose) {
      log('stdin closed; still running (--ignore-stdin-close)');
      setInterval(() => {}, 60_000);
      return;
    }
    output.exitAfterOutput(0);
  });
}

if (options.slowStart > 0) setTimeout(startReading, options.slowStart);
else startReading();
