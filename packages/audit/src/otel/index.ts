/**
 * @packageDocumentation
 * `@mcptrust/audit/otel`: OpenTelemetry spans and metrics of MCPTrust decisions and
 * commands. Needs only `@opentelemetry/api` (an optional peer dependency); the
 * application configures the SDK and passes a tracer and a meter in.
 */
export { createOtelAuditSink } from './otel-audit-sink.js';
export type { OtelAuditSink, OtelAuditSinkOptions } from './otel-audit-sink.js';
export { startCommandSpan } from './command-span.js';
export type { CommandOutcome, CommandSpan } from './command-span.js';
export {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCPTRUST_COMMAND,
  ATTR_MCPTRUST_COUNT,
  ATTR_MCPTRUST_DECISION,
  ATTR_MCPTRUST_EXIT_CODE,
  ATTR_MCPTRUST_MODE,
  ATTR_MCPTRUST_REASON,
  ATTR_MCPTRUST_RUN_ID,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_MCP_RESOURCE_URI,
  ATTR_NETWORK_TRANSPORT,
  ATTR_RPC_RESPONSE_STATUS_CODE,
  ERROR_TYPE_VALUE_OTHER,
  ERROR_TYPE_VALUE_TOOL_ERROR,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  MCP_OPERATION_DURATION_BUCKETS,
  METRIC_MCPTRUST_PROXY_DECISIONS,
  METRIC_MCP_SERVER_OPERATION_DURATION,
  NETWORK_TRANSPORT_VALUE_PIPE,
} from './semconv.js';
