-- The append of a whole batch of messages in two statements (written by hand; SqlMessagesRepository.append
-- documents the contract and calls it for every append, a batch of one included).
--
-- It replaces calling chat_append_message_v7 once per message of a batch. That ran three to five statements per
-- message, and under load PostgreSQL's time went to what every statement pays whatever its size: executor
-- start-up, check constraints prepared again, plan lookups. Here the batch is locked in one statement and appended
-- in one more, with one row a message inside each step. Measured in bench/group-commit.bench.ts
-- (docs/performance.md, "The append of a batch as a set").
--
-- Parameter: a JSON array with one element per message, in arrival order, each the array of that message's
-- parameters: the conversation, the sender, the client message id, the new message's id, its kind, body and
-- system event (jsonb as text, or null), whether the sender must be an active member, the attachment ids to claim
-- (a uuid[] literal) and how many, the mentioned user ids (a uuid[] literal) and how many, @all, the message
-- replied to (or null), forwarded, and whether the consent checks apply (with the sender required active).
--
-- Result: one row a message, in the parameter's order (`ord`, from 1). `allocated` 1 when the message was
-- stored; `inserted` the new message (json, the messages columns but search_vector) or `existing` the one stored
-- under the same client message id, earlier or by an earlier message of this batch; `claimed` the attachments
-- claimed, in position order; `membership` 'active', 'ended' or NULL (never a member); `mentions_ok`; `consent`
-- 'ok', 'blocked', 'unavailable', 'pending' or 'peer_inactive'; `reply` the quote of the message replied to, when
-- it is one of this conversation; `audience` the conversation's active members' ids; `guard` always 1.
--
-- The checks, and what a message gets, are those of appending the batch's messages one by one in its order:
-- membership first (a sender who must be active and is not is refused), then a resend (the stored message,
-- whatever the consent now is), then consent, the reply target and mentions; the first message of a client
-- message id that passes them all is stored, and a later one of the same id gets it as `existing`. The messages
-- of one conversation get consecutive seqs in the batch's order, and one created_at (the time the batch took the
-- conversation's seq, read under its row lock, so that it never moves backwards).
--
-- Locks: the first statement takes the row lock of every conversation of the batch (FOR NO KEY UPDATE, the lock
-- an update of last_seq takes, as membership changes do), in id order, so that two batches cannot deadlock; the
-- lock is held until the transaction commits. The second statement starts after that, in a new snapshot: the
-- membership it reads cannot change before the messages are stored.
--
-- A seq taken without an insert (an identical send on another connection was stored after this batch's resend
-- check) or fewer attachments claimed than listed raises division_by_zero (SQLSTATE 22012), which rolls the whole
-- statement back; the repository splits the batch and reads what happened to the message at fault.
--
-- Changing it: as chat_append_message_v7 (migration 0008): a new version gets a new name in a new migration, and
-- the previous one is dropped a release later. chat_append_message_v7 stays for API processes of the previous
-- version during a rolling update.
CREATE FUNCTION chat_append_messages_v8(p_batch jsonb)
RETURNS TABLE (ord integer, allocated integer, inserted json, existing json, claimed json, membership text,
               mentions_ok boolean, consent text, reply json, audience json, guard integer)
LANGUAGE plpgsql VOLATILE AS $append$
BEGIN
  -- Every conversation of the batch, locked in id order (LockRows runs above the sort). The ids as an array, so
  -- that the plan probes the primary key for each: the planner takes jsonb_array_elements for a hundred rows, and
  -- a join on it would read the whole table when it is small enough.
  PERFORM 1
     FROM conversations AS c
    WHERE c.id = ANY (ARRAY(SELECT (e.m->>0)::uuid FROM jsonb_array_elements(p_batch) AS e(m)))
    ORDER BY c.id
      FOR NO KEY UPDATE;

  RETURN QUERY
  WITH input AS (
    SELECT b.ord::integer AS ord,
           (b.m->>0)::uuid AS conversation_id, (b.m->>1)::uuid AS sender_id, b.m->>2 AS client_message_id,
           (b.m->>3)::uuid AS message_id, b.m->>4 AS kind, b.m->>5 AS body, (b.m->>6)::jsonb AS system,
           (b.m->>7)::boolean AS require_active, (b.m->>8)::uuid[] AS attachment_ids,
           (b.m->>9)::integer AS attachment_count, (b.m->>10)::uuid[] AS mentions,
           (b.m->>11)::integer AS mention_count, (b.m->>12)::boolean AS mentions_all,
           (b.m->>13)::uuid AS reply_to_id, (b.m->>14)::boolean AS forwarded,
           (b.m->>15)::boolean AS require_consent
      FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS b(m, ord)),
  -- Each message's checks, as appending it alone would make them.
  checked AS MATERIALIZED (
    SELECT i.*,
           c.id IS NOT NULL AS conversation_exists,
           CASE WHEN mem.user_id IS NULL THEN NULL WHEN mem.left_at IS NULL THEN 'active' ELSE 'ended' END
             AS membership,
           NOT i.require_active OR (mem.user_id IS NOT NULL AND mem.left_at IS NULL) AS member_ok,
           prior.message AS prior,
           CASE
             WHEN NOT i.require_consent THEN 'ok'
             WHEN peer.id IS NOT NULL AND EXISTS (
                  SELECT 1 FROM user_blocks AS b
                   WHERE (b.blocker_id = i.sender_id AND b.blocked_id = peer.id)
                      OR (b.blocker_id = peer.id AND b.blocked_id = i.sender_id)) THEN 'blocked'
             WHEN peer.id IS NOT NULL AND EXISTS (
                  SELECT 1 FROM users AS u
                   WHERE u.id = peer.id AND (u.deactivated_at IS NOT NULL OR u.deleted_at IS NOT NULL))
               THEN 'unavailable'
             WHEN mem.pending THEN 'pending'
             WHEN peer.id IS NOT NULL AND NOT EXISTS (
                  SELECT 1 FROM conversation_members AS pm
                   WHERE pm.conversation_id = i.conversation_id AND pm.user_id = peer.id AND pm.left_at IS NULL)
               THEN 'peer_inactive'
             ELSE 'ok'
           END AS consent,
           -- The message replied to, looked up by its primary key alone, kept if it is one of this conversation.
           CASE WHEN t.conversation_id = i.conversation_id THEN json_build_object(
             'id', t.id, 'seq', t.seq, 'sender_id', t.sender_id,
             'body', CASE WHEN t.deleted_at IS NULL THEN t.body ELSE '' END,
             'deleted', t.deleted_at IS NOT NULL) END AS reply,
           i.reply_to_id IS NULL OR t.conversation_id IS NOT DISTINCT FROM i.conversation_id AS reply_ok,
           i.mention_count = 0 OR (
             SELECT count(*) FROM conversation_members AS mm
              WHERE mm.conversation_id = i.conversation_id AND mm.user_id = ANY (i.mentions) AND mm.left_at IS NULL
           ) = i.mention_count AS mentions_ok
      FROM input AS i
      -- Each lookup a lateral subquery with LIMIT 1, so that it stays one probe a message: a join on the input
      -- would be planned for a hundred rows, and could read a whole table instead.
      LEFT JOIN LATERAL (
        SELECT c.id, c.type, c.direct_key FROM conversations AS c WHERE c.id = i.conversation_id LIMIT 1) AS c ON true
      LEFT JOIN LATERAL (
        SELECT mem.user_id, mem.left_at, mem.pending
          FROM conversation_members AS mem
         WHERE mem.conversation_id = i.conversation_id AND mem.user_id = i.sender_id
         LIMIT 1) AS mem ON true
      LEFT JOIN LATERAL (
        SELECT CASE WHEN split_part(c.direct_key, ':', 1) = i.sender_id::text THEN split_part(c.direct_key, ':', 2)
                    ELSE split_part(c.direct_key, ':', 1) END::uuid AS id
         WHERE c.type = 'direct') AS peer ON true
      LEFT JOIN LATERAL (
        SELECT t.id, t.conversation_id, t.seq, t.sender_id, t.body, t.deleted_at
          FROM messages AS t
         WHERE t.id = i.reply_to_id
         LIMIT 1) AS t ON true
      LEFT JOIN LATERAL (
        SELECT row_to_json(e) AS message
          FROM (SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.client_message_id, m.kind, m.body, m.system,
                       m.mentions, m.mentions_all, m.created_at, m.reply_to_id, m.forwarded, m.edited_at,
                       m.deleted_at, m.deleted_by, m.change_seq
                  FROM messages AS m
                 WHERE m.conversation_id = i.conversation_id AND m.sender_id = i.sender_id
                   AND m.client_message_id = i.client_message_id
                 LIMIT 1) AS e) AS prior ON true),
  -- Which message of each client message id is stored: the first that passes every check, unless one was stored
  -- before the batch.
  decided AS (
    SELECT ch.*,
           min(ch.ord) FILTER (WHERE ch.member_ok AND ch.conversation_exists AND ch.consent = 'ok' AND ch.reply_ok
                                 AND ch.mentions_ok)
             OVER (PARTITION BY ch.conversation_id, ch.sender_id, ch.client_message_id) AS winner_ord
      FROM checked AS ch),
  winners AS (
    SELECT d.* FROM decided AS d WHERE d.prior IS NULL AND d.winner_ord = d.ord),
  -- The seqs: the conversation's last_seq raised by its number of messages in the batch.
  alloc AS (
    UPDATE conversations AS c
       SET last_seq = c.last_seq + n.count,
           last_activity_at = greatest(c.last_activity_at, clock_timestamp())
      FROM (SELECT w.conversation_id, count(*)::integer AS count FROM winners AS w GROUP BY w.conversation_id) AS n
     WHERE c.id = n.conversation_id
    RETURNING c.id, c.last_seq - n.count AS base_seq, c.last_activity_at),
  numbered AS (
    SELECT w.*, a.base_seq + row_number() OVER (PARTITION BY w.conversation_id ORDER BY w.ord) AS seq,
           a.last_activity_at AS created_at
      FROM winners AS w
      JOIN alloc AS a ON a.id = w.conversation_id),
  ins AS (
    INSERT INTO messages AS m (id, conversation_id, seq, sender_id, client_message_id, kind, body, system,
                               mentions, mentions_all, created_at, reply_to_id, forwarded)
    SELECT n.message_id, n.conversation_id, n.seq, n.sender_id, n.client_message_id, n.kind, n.body, n.system,
           n.mentions, n.mentions_all, n.created_at, n.reply_to_id, n.forwarded
      FROM numbered AS n
     ORDER BY n.conversation_id, n.seq
    ON CONFLICT (conversation_id, sender_id, client_message_id) DO NOTHING
    RETURNING m.id, m.conversation_id, m.seq, m.sender_id, m.client_message_id, m.kind, m.body, m.system,
              m.mentions, m.mentions_all, m.created_at, m.reply_to_id, m.forwarded, m.edited_at, m.deleted_at,
              m.deleted_by, m.change_seq),
  -- The listed attachments, at their positions in their message's list.
  claim AS (
    UPDATE attachments AS a
       SET message_id = n.message_id,
           position = array_position(n.attachment_ids, a.id) - 1
      FROM numbered AS n
     WHERE n.attachment_count > 0
       AND a.id = ANY (n.attachment_ids)
       AND a.conversation_id = n.conversation_id
       AND a.uploader_id = n.sender_id
       AND a.message_id IS NULL
    RETURNING a.*),
  claims AS (
    SELECT cl.message_id, count(*)::integer AS count, json_agg(cl ORDER BY cl.position) AS attachments
      FROM claim AS cl
     GROUP BY cl.message_id),
  -- The senders' watermarks raised to their last new seq.
  marks AS (
    UPDATE conversation_members AS m
       SET delivered_seq = greatest(m.delivered_seq, s.seq),
           read_seq = greatest(m.read_seq, s.seq)
      FROM (SELECT n.conversation_id, n.sender_id, max(n.seq)::integer AS seq
              FROM numbered AS n GROUP BY n.conversation_id, n.sender_id) AS s
     WHERE m.conversation_id = s.conversation_id AND m.user_id = s.sender_id
    RETURNING 1),
  -- The active members of the batch's conversations (an array again: index probes, not a scan of the table).
  audiences AS (
    SELECT am.conversation_id, json_agg(am.user_id) AS audience
      FROM conversation_members AS am
     WHERE am.conversation_id = ANY (ARRAY(SELECT i.conversation_id FROM input AS i)) AND am.left_at IS NULL
     GROUP BY am.conversation_id),
  -- 1 when every winner was stored with all of its attachments; the division in the result raises otherwise.
  complete AS (
    SELECT ((SELECT count(*) FROM ins) = (SELECT count(*) FROM numbered)
            AND NOT EXISTS (SELECT 1 FROM numbered AS n LEFT JOIN claims AS cs ON cs.message_id = n.message_id
                             WHERE n.attachment_count > coalesce(cs.count, 0)))::integer AS ok)
  SELECT d.ord,
         CASE WHEN w.message IS NOT NULL AND d.winner_ord = d.ord THEN 1 ELSE 0 END,
         CASE WHEN d.winner_ord = d.ord THEN w.message END,
         CASE WHEN NOT d.member_ok THEN NULL
              WHEN d.prior IS NOT NULL THEN d.prior
              WHEN d.winner_ord < d.ord THEN w.message END,
         coalesce(cs.attachments, '[]'::json),
         d.membership,
         d.mentions_ok,
         d.consent,
         d.reply,
         coalesce(au.audience, '[]'::json),
         1 / (SELECT ok FROM complete)
    FROM decided AS d
    LEFT JOIN LATERAL (SELECT row_to_json(x) AS message FROM ins AS x
                        WHERE x.conversation_id = d.conversation_id AND x.sender_id = d.sender_id
                          AND x.client_message_id = d.client_message_id) AS w ON d.prior IS NULL
    LEFT JOIN claims AS cs ON cs.message_id = d.message_id AND d.winner_ord = d.ord AND d.prior IS NULL
    LEFT JOIN audiences AS au ON au.conversation_id = d.conversation_id
   ORDER BY d.ord;
END
$append$;
