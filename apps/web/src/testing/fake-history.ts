import type {
  ChangesQuery,
  HistoryAroundQuery,
  HistoryQuery,
  Message,
  MessageChangesPage,
  MessagePage,
  MessageWindow,
} from '@chat/shared';

/**
 * An in-memory stand-in for GET /api/conversations/:id/messages with the API's paging rules: pages are ascending by
 * seq; `after` returns the oldest `limit` messages above it, `before` (or neither) the newest `limit` below it;
 * `hasMore` says whether more exist in the requested direction. `stored` may be changed between calls.
 */
export class FakeHistory {
  /** Messages the server holds, by conversation id (any order). */
  readonly stored = new Map<string, Message[]>();
  /** Every query made, in order, for assertions on what was fetched. */
  readonly calls: Array<{ conversationId: string } & HistoryQuery> = [];

  /** Every changes-feed query made, in order. */
  readonly changeCalls: Array<{ conversationId: string } & ChangesQuery> = [];

  /** Adds messages to their conversations. */
  add(...messages: Message[]): void {
    for (const message of messages) {
      const list = this.stored.get(message.conversationId) ?? [];
      list.push(message);
      this.stored.set(message.conversationId, list);
    }
  }

  /** The fake endpoint (bound, so it can be handed over as `api.history`). */
  readonly history = async (
    conversationId: string,
    query: HistoryQuery = {},
  ): Promise<MessagePage> => {
    this.calls.push({ conversationId, ...query });
    const limit = query.limit ?? 50;
    const all = [...(this.stored.get(conversationId) ?? [])].sort((a, b) => a.seq - b.seq);
    if (query.after !== undefined) {
      const above = all.filter((m) => m.seq > query.after!);
      return { items: above.slice(0, limit), hasMore: above.length > limit };
    }
    const below = query.before === undefined ? all : all.filter((m) => m.seq < query.before!);
    return { items: below.slice(-limit), hasMore: below.length > limit };
  };

  /** Every window asked for with historyAround, in order. */
  readonly aroundCalls: Array<{ conversationId: string } & HistoryAroundQuery> = [];

  /** The fake GET .../messages/around: up to `limit` messages with seq <= `seq` and up to `limit` above it. */
  readonly historyAround = async (
    conversationId: string,
    query: HistoryAroundQuery,
  ): Promise<MessageWindow> => {
    this.aroundCalls.push({ conversationId, ...query });
    const limit = query.limit ?? 25;
    const all = [...(this.stored.get(conversationId) ?? [])].sort((a, b) => a.seq - b.seq);
    const below = all.filter((m) => m.seq <= query.seq);
    const above = all.filter((m) => m.seq > query.seq);
    return {
      items: [...below.slice(-limit), ...above.slice(0, limit)],
      hasMoreBefore: below.length > limit,
      hasMoreAfter: above.length > limit,
    };
  };

  /** Replaces a stored message by id with its changed view (the test sets the new changeSeq). */
  update(message: Message): void {
    const list = this.stored.get(message.conversationId) ?? [];
    this.stored.set(
      message.conversationId,
      list.map((m) => (m.id === message.id ? message : m)),
    );
  }

  /**
   * The fake changes feed (GET /api/conversations/:id/changes): messages whose changeSeq is above `after`, ascending
   * by changeSeq, `limit` at a time.
   */
  readonly changes = async (
    conversationId: string,
    query: ChangesQuery,
  ): Promise<MessageChangesPage> => {
    this.changeCalls.push({ conversationId, ...query });
    const limit = query.limit ?? 100;
    const changed = (this.stored.get(conversationId) ?? [])
      .filter((m) => m.changeSeq > query.after)
      .sort((a, b) => a.changeSeq - b.changeSeq);
    return { items: changed.slice(0, limit), hasMore: changed.length > limit };
  };
}
