// The tools of the in-process HTTP fixture servers (Streamable HTTP and legacy SSE), on an
// SDK McpServer. Nothing is ever executed: every result is made up from the arguments.
//
//   echo {text}         → text
//   add {a, b}          → the sum, as text
//   slow {ms}           → waits ms (ends early when the call is cancelled), then "slept <ms>"
//   sample {prompt?}    → sends sampling/createMessage on the call's stream, answers the
//                         text of the client's message
//   elicit {message?}   → sends elicitation/create (form, one string field `answer`),
//                         answers JSON.stringify({ action, content })
//                         (sample and elicit send their request whether or not the client
//                         declared the capability; a client error becomes an isError result)
//   drop_stream {ms?}   → closes the call's SSE stream (extra.closeSSEStream, present with an
//                         event store and protocol ≥ 2025-11-25), waits ms (default 50), then
//                         answers "after drop" (the client resumes with Last-Event-ID), or
//                         "no stream to drop" when the transport cannot close it
//   exec_shell {command} (off by default; addTool('exec_shell')) → "refused: <command>"
//   any other name given to addTool → a tool without arguments answering its own name
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CreateMessageResultSchema, ElicitResultSchema } from "@modelcontextprotocol/sdk/types.js";
import * as z from "zod";

/** Names of the tools every fixture server has from the start. */
export const DEFAULT_TOOLS = Object.freeze(["echo", "add", "slow", "sample", "elicit", "drop_stream"]);

/**
 * Resolves after `ms`, or rejects as soon as `signal` aborts (clearing the timer).
 * @param {number} ms
 * @param {AbortSignal} signal
 */
function wait(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error("cancelled"));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(undefined);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error("cancelled"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** @param {string} text */
const text = (text) => ({ content: [{ type: /** @type {const} */ ("text"), text }] });

/**
 * Registers tool `name` on `server`.
 * @param {McpServer} server
 * @param {string} name
 */
function registerTool(server, name) {
  switch (name) {
    case "echo":
      return server.registerTool("echo", { description: "Echoes its text.", inputSchema: { text: z.string() } }, ({ text: t }) => text(t));
    case "add":
      return server.registerTool("add", { description: "Adds two numbers.", inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => text(String(a + b)));
    case "slow":
      return server.registerTool("slow", { description: "Waits ms milliseconds.", inputSchema: { ms: z.number().int().min(0) } }, async ({ ms }, extra) => {
        await wait(ms, extra.signal);
        return text(`slept ${ms}`);
      });
    case "sample":
      return server.registerTool("sample", { description: "Asks the client's model.", inputSchema: { prompt: z.string().optional() } }, async ({ prompt }, extra) => {
        const answer = await extra.sendRequest(
          {
            method: "sampling/createMessage",
            params: { messages: [{ role: "user", content: { type: "text", text: prompt ?? "Say hello." } }], maxTokens: 100 },
          },
          CreateMessageResultSchema,
        );
        const content = Array.isArray(answer.content) ? answer.content[0] : answer.content;
        return text(content?.type === "text" ? content.text : JSON.stringify(answer.content));
      });
    case "elicit":
      return server.registerTool("elicit", { description: "Asks the user a question.", inputSchema: { message: z.string().optional() } }, async ({ message }, extra) => {
        const answer = await extra.sendRequest(
          {
            method: "elicitation/create",
            params: {
              mode: "form",
              message: message ?? "What is the answer?",
              requestedSchema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] },
            },
          },
          ElicitResultSchema,
        );
        return text(JSON.stringify({ action: answer.action, content: answer.content }));
      });
    case "drop_stream":
      return server.registerTool("drop_stream", { description: "Closes its SSE stream mid-call, then answers.", inputSchema: { ms: z.number().int().min(0).optional() } }, async ({ ms }, extra) => {
        if (extra.closeSSEStream === undefined) return text("no stream to drop");
        extra.closeSSEStream();
        await wait(ms ?? 50, extra.signal);
        return text("after drop");
      });
    case "exec_shell":
      return server.registerTool("exec_shell", { description: "Runs a shell command.", inputSchema: { command: z.string() } }, ({ command }) => text(`refused: ${command}`));
    default:
      return server.registerTool(name, { description: `Fixture tool ${name}.` }, () => text(name));
  }
}

/**
 * The tool set shared by every session of one fixture server: sessions created later get
 * the tools added before.
 * @param {readonly string[]} [initial] tool names (default {@link DEFAULT_TOOLS})
 */
export function createToolCatalog(initial = DEFAULT_TOOLS) {
  const names = [...initial];
  return {
    /** The current tool names. */
    names() {
      return [...names];
    },
    /**
     * A new McpServer with the current tools (tools.listChanged declared).
     * @param {string} serverName
     */
    createServer(serverName) {
      const server = new McpServer({ name: serverName, version: "1.0.0" }, { capabilities: { tools: { listChanged: true }, logging: {} } });
      for (const name of names) registerTool(server, name);
      return server;
    },
    /**
     * Adds tool `name` (no-op when present) to the catalog and to each of `servers`; a
     * connected server then sends notifications/tools/list_changed.
     * @param {string} name
     * @param {Iterable<McpServer>} servers
     */
    add(name, servers) {
      if (names.includes(name)) return;
      names.push(name);
      for (const server of servers) registerTool(server, name);
    },
  };
}
