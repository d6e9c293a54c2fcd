// An in-memory SDK EventStore (resumability of Streamable HTTP SSE streams). Event ids are
// `<streamId>_<n>`, so the stream of an event is known from its id (getStreamIdForEventId).

/** @implements {import('@modelcontextprotocol/sdk/server/streamableHttp.js').EventStore} */
export class InMemoryEventStore {
  /** @type {Map<string, { streamId: string, message: import('@modelcontextprotocol/sdk/types.js').JSONRPCMessage }>} */
  #events = new Map();
  #next = 0;

  /**
   * @param {string} streamId
   * @param {import('@modelcontextprotocol/sdk/types.js').JSONRPCMessage} message
   */
  async storeEvent(streamId, message) {
    this.#next += 1;
    const eventId = `${streamId}_${this.#next}`;
    this.#events.set(eventId, { streamId, message });
    return eventId;
  }

  /** @param {string} eventId */
  async getStreamIdForEventId(eventId) {
    return this.#events.get(eventId)?.streamId;
  }

  /**
   * Sends the events of `lastEventId`'s stream stored after it, in order (priming events,
   * which have no JSON-RPC content, are skipped). Returns that stream's id ('' when unknown).
   * @param {string} lastEventId
   * @param {{ send: (eventId: string, message: import('@modelcontextprotocol/sdk/types.js').JSONRPCMessage) => Promise<void> }} sink
   */
  async replayEventsAfter(lastEventId, { send }) {
    const last = this.#events.get(lastEventId);
    if (last === undefined) return "";
    let after = false;
    for (const [eventId, { streamId, message }] of this.#events) {
      if (eventId === lastEventId) {
        after = true;
        continue;
      }
      if (!after || streamId !== last.streamId) continue;
      if (Object.keys(message).length === 0) continue;
      await send(eventId, message);
    }
    return last.streamId;
  }
}
