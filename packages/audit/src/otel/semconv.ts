/**
 * The OpenTelemetry names MCPTrust records: the MCP semantic conventions (spans and
 * metrics of MCP servers, part of the GenAI conventions, status "Development") and
 * MCPTrust's own `mcptrust.*` attributes. They are plain strings here so that this
 * package needs nothing but `@opentelemetry/api`; a test checks each against
 * `@opentelemetry/semantic-conventions` where that package has it.
 */

/** `mcp.method.name`: JSON-RPC method of the request (`tools/call`). */
export const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
/** `mcp.protocol.version`: negotiated MCP protocol version (`2025-06-18`). */
export const ATTR_MCP_PROTOCOL_VERSION = 'mcp.protocol.version';
/** `mcp.resource.uri`: resource URI of `resources/read` and (un)subscribe (opt-in here). */
export const ATTR_MCP_RESOURCE_URI = 'mcp.resource.uri';
/** `gen_ai.tool.name`: the tool a request concerns. */
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
/** `gen_ai.prompt.name`: the prompt a request concerns. */
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
/** `gen_ai.operation.name`: `execute_tool` on `tools/call`. */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
/** Value of {@link ATTR_GEN_AI_OPERATION_NAME} on `tools/call`. */
export const GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL = 'execute_tool';
/** `jsonrpc.request.id`: JSON-RPC id of the request, as a string. */
export const ATTR_JSONRPC_REQUEST_ID = 'jsonrpc.request.id';
/** `error.type`: why the operation failed (JSON-RPC error code, `tool_error`, `_OTHER`). */
export const ATTR_ERROR_TYPE = 'error.type';
/** Fallback value of {@link ATTR_ERROR_TYPE}, and of names kept off metrics. */
export const ERROR_TYPE_VALUE_OTHER = '_OTHER';
/** Value of {@link ATTR_ERROR_TYPE} when a tool answered with `isError: true`. */
export const ERROR_TYPE_VALUE_TOOL_ERROR = 'tool_error';
/** `rpc.response.status_code`: the JSON-RPC error code of the answer, as a string. */
export const ATTR_RPC_RESPONSE_STATUS_CODE = 'rpc.response.status_code';
/** `network.transport`: `pipe` for a stdio session. */
export const ATTR_NETWORK_TRANSPORT = 'network.transport';
/** Value of {@link ATTR_NETWORK_TRANSPORT} for stdio. */
export const NETWORK_TRANSPORT_VALUE_PIPE = 'pipe';

/** Histogram of the duration of MCP operations the server side answers, in seconds. */
export const METRIC_MCP_SERVER_OPERATION_DURATION = 'mcp.server.operation.duration';
/** Bucket boundaries (seconds) the conventions advise for MCP operation durations. */
export const MCP_OPERATION_DURATION_BUCKETS: readonly number[] = Object.freeze([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]);

/** `mcptrust.decision`: what the firewall did (`allowed`, `blocked`, … — the audit action). */
export const ATTR_MCPTRUST_DECISION = 'mcptrust.decision';
/** `mcptrust.reason`: the decision's reason code (or its short reason when it has no code). */
export const ATTR_MCPTRUST_REASON = 'mcptrust.reason';
/** `mcptrust.mode`: enforcement mode (`enforce`, `filter-only`, `audit-only`). */
export const ATTR_MCPTRUST_MODE = 'mcptrust.mode';
/** `mcptrust.run_id`: id of the MCPTrust run (the same as in logs and receipts). */
export const ATTR_MCPTRUST_RUN_ID = 'mcptrust.run_id';
/** `mcptrust.command`: the MCPTrust command of a command span (`lock`, `artifact verify`). */
export const ATTR_MCPTRUST_COMMAND = 'mcptrust.command';
/** `mcptrust.exit_code`: the exit code a command ended with. */
export const ATTR_MCPTRUST_EXIT_CODE = 'mcptrust.exit_code';
/** `mcptrust.count`: how many items a list filter removed. */
export const ATTR_MCPTRUST_COUNT = 'mcptrust.count';
/** Counter of firewall decisions, by {@link ATTR_MCPTRUST_DECISION} and {@link ATTR_MCP_METHOD_NAME}. */
export const METRIC_MCPTRUST_PROXY_DECISIONS = 'mcptrust.proxy.decisions';
