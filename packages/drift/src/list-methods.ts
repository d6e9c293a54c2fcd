/**
 * The list methods of MCP and how a server's error answer to one of them is read. The
 * scanner (`scan`, `lock`, `diff`, `check`, `policy`) and the proxy's preflight both use
 * this module, so the two cannot disagree on what a server offers.
 */

/** The methods that list a server's surface, each read only when its capability is declared. */
export const LIST_METHODS = ['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list'] as const;

/** One of {@link LIST_METHODS}. */
export type ListMethod = (typeof LIST_METHODS)[number];

/** JSON-RPC "method not found". */
export const METHOD_NOT_FOUND = -32601;

/**
 * Whether an error answer to a list request means "the server has none of these".
 *
 * A server may declare a capability and still lack one of its list methods (a server
 * with static resources only often answers `resources/templates/list` with -32601).
 * Such a first page is an empty list, not a failure. Any other error, and -32601 on a
 * later page (the method did exist for page one), stays a failure: the surface could
 * not be read, and nothing read halfway may be trusted.
 *
 * @param code - the `error.code` of the answer (anything; only a number can match)
 * @param page - which page the answer belongs to, from 1
 * @returns true when the list is to be read as empty
 */
export function listErrorMeansNone(code: unknown, page: number): boolean {
  return code === METHOD_NOT_FOUND && page === 1;
}
