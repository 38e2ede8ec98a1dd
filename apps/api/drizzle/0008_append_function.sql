-- Fail fast rather than queue every append behind the index drop's ACCESS EXCLUSIVE lock (migrations run in one
-- transaction, so this holds for all of them); the process exits and its restart tries again.
SET LOCAL lock_timeout = '5s';--> statement-breakpoint
-- conversations_activity_idx goes: every append updates last_activity_at, so with the index every append was a
-- non-HOT update (a new entry in each of the table's three indexes, and dead versions that only vacuum removes:
-- a busy conversation's row piled up tens of thousands of them between vacuums, and every lookup of it walked
-- them). No query needs it: the conversation lists drive from conversation_members and sort their few rows.
DROP INDEX "conversations_activity_idx";--> statement-breakpoint
-- Room on each page for the new versions of its rows, so those updates stay on the page (HOT).
ALTER TABLE "conversations" SET (fillfactor = 80);--> statement-breakpoint
-- The append of one message, as a PL/pgSQL function (written by hand; SqlMessagesRepository.append documents the
-- contract and calls it, one call per message, several calls in one statement for a batch).
--
-- It replaces one large statement of data-modifying CTEs. That statement built every part of its plan on every
-- call (the consent checks, the reply lookup, the attachment claim, seven aggregates), whether the message needed
-- it or not: executor start-up was a quarter of PostgreSQL's time per message under load. Here each step is its
-- own small statement, run only when the message needs it; a plain text message in a group runs three (the
-- membership and resend check, the seq and the insert, the sender's watermarks and the audience). PL/pgSQL keeps
-- each statement's plan for the session. Measured in bench/group-commit.bench.ts (docs/performance.md).
--
-- Parameters: the conversation, the sender, the client message id, the new message's id, its kind, body and
-- system event (jsonb as text, or NULL), whether the sender must be an active member, the attachment ids to claim
-- (a uuid[] literal) and how many, the mentioned user ids (a uuid[] literal) and how many, @all, the message
-- replied to (or NULL), forwarded, and whether the consent checks of a direct conversation apply.
--
-- Result: one row. `allocated` 1 when a seq was taken; `inserted` the new message (json, the messages columns but
-- search_vector) or `existing` the one stored earlier under the same client message id; `claimed` the attachments
-- claimed, in position order; `membership` 'active', 'ended' or NULL (never a member); `mentions_ok`; `consent`
-- 'ok', 'blocked', 'unavailable', 'pending' or 'peer_inactive'; `reply` the quote of the message replied to;
-- `audience` the active members' ids (only with `inserted` or `existing`); `guard` always 1.
--
-- Refusals return a row with nothing allocated, and the checks stop at the first that fails, in the order the
-- repository reports them: membership, then a resend (which returns the stored message whatever the consent now
-- is), consent, the reply target, mentions. A seq taken without an insert (an identical send was stored after this
-- one's resend check) or fewer attachments claimed than listed raises
-- division_by_zero (SQLSTATE 22012), which rolls the whole statement back (the seq and the claims with it); the
-- repository then reads what happened. A sender who must be active but was removed while the append waited for
-- the conversation's row lock raises SQLSTATE RL001, which rolls back the same way.
--
-- Each statement inside takes its own snapshot (a VOLATILE function in READ COMMITTED), so in a batch a message
-- sees the messages appended before it. The conversation's row lock (the UPDATE) is held until the transaction
-- commits: a batch takes its conversations in one order (by id) so that two batches cannot deadlock.
--
-- Changing it: never edit this migration; add one that creates the function under a new name (the suffix) and
-- point the repository at it, so that API processes of two versions can share one database during an update.
-- Never drop the previous version in the migration that creates the next: processes of the previous version are
-- still appending with it. Drop it a release later. (chat_append_message_v6, which API versions before this one
-- created on first use, is left for that reason; a later migration drops it.)
CREATE FUNCTION chat_append_message_v7(
  p_conversation_id uuid, p_sender_id uuid, p_client_message_id text, p_message_id uuid, p_kind text,
  p_body text, p_system text, p_require_active boolean, p_attachment_ids text, p_attachment_count integer,
  p_mentions text, p_mention_count integer, p_mentions_all boolean, p_reply_to_id uuid, p_forwarded boolean,
  p_require_consent boolean)
RETURNS TABLE (allocated integer, inserted json, existing json, claimed json, membership text,
               mentions_ok boolean, consent text, reply json, audience json, guard integer)
LANGUAGE plpgsql VOLATILE AS $append$
DECLARE
  v_member boolean;
  v_left_at timestamptz;
  v_pending boolean;
  v_peer_id uuid;
  v_target_conversation_id uuid;
  v_target_seq integer;
  v_target_sender_id uuid;
  v_target_body text;
  v_target_deleted_at timestamptz;
  v_seq integer;
  v_message record;
  v_marked boolean;
  v_claimed_count integer;
BEGIN
  allocated := 0;
  claimed := '[]'::json;
  mentions_ok := true;
  consent := 'ok';
  guard := 1;

  -- The sender's membership (active, former or none), and a resend: the message stored under this client id.
  SELECT mem.conversation_id IS NOT NULL, mem.left_at, mem.pending,
         (SELECT row_to_json(e)
            FROM (SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.client_message_id, m.kind, m.body, m.system,
                         m.mentions, m.mentions_all, m.created_at, m.reply_to_id, m.forwarded, m.edited_at,
                         m.deleted_at, m.deleted_by, m.change_seq
                    FROM messages AS m
                   WHERE m.conversation_id = p_conversation_id AND m.sender_id = p_sender_id
                     AND m.client_message_id = p_client_message_id) AS e)
    INTO v_member, v_left_at, v_pending, existing
    FROM (SELECT 1) AS one
    LEFT JOIN conversation_members AS mem
      ON mem.conversation_id = p_conversation_id AND mem.user_id = p_sender_id;
  membership := CASE WHEN NOT v_member THEN NULL WHEN v_left_at IS NULL THEN 'active' ELSE 'ended' END;
  IF p_require_active AND membership IS DISTINCT FROM 'active' THEN
    RETURN NEXT;
    RETURN;
  END IF;
  IF existing IS NOT NULL THEN
    SELECT coalesce(json_agg(m.user_id), '[]'::json) INTO audience
      FROM conversation_members AS m
     WHERE m.conversation_id = p_conversation_id AND m.left_at IS NULL;
    RETURN NEXT;
    RETURN;
  END IF;

  -- Consent: no block between the pair of a direct conversation either way, the other person's account neither
  -- deactivated nor deleted, the sender has accepted, the other person is an active member.
  IF p_require_consent THEN
    SELECT CASE WHEN split_part(c.direct_key, ':', 1) = p_sender_id::text THEN split_part(c.direct_key, ':', 2)
                ELSE split_part(c.direct_key, ':', 1) END::uuid
      INTO v_peer_id
      FROM conversations AS c
     WHERE c.id = p_conversation_id AND c.type = 'direct';
    IF v_peer_id IS NOT NULL AND EXISTS (
         SELECT 1 FROM user_blocks AS b
          WHERE (b.blocker_id = p_sender_id AND b.blocked_id = v_peer_id)
             OR (b.blocker_id = v_peer_id AND b.blocked_id = p_sender_id)) THEN
      consent := 'blocked';
    ELSIF v_peer_id IS NOT NULL AND EXISTS (
         SELECT 1 FROM users AS u
          WHERE u.id = v_peer_id AND (u.deactivated_at IS NOT NULL OR u.deleted_at IS NOT NULL)) THEN
      consent := 'unavailable';
    ELSIF v_pending THEN
      consent := 'pending';
    ELSIF v_peer_id IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM conversation_members AS pm
          WHERE pm.conversation_id = p_conversation_id AND pm.user_id = v_peer_id AND pm.left_at IS NULL) THEN
      consent := 'peer_inactive';
    END IF;
    IF consent <> 'ok' THEN
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;

  -- The message replied to, looked up by its primary key alone, kept if it is one of this conversation: the quote.
  IF p_reply_to_id IS NOT NULL THEN
    SELECT t.conversation_id, t.seq, t.sender_id, t.body, t.deleted_at
      INTO v_target_conversation_id, v_target_seq, v_target_sender_id, v_target_body, v_target_deleted_at
      FROM messages AS t
     WHERE t.id = p_reply_to_id;
    IF v_target_conversation_id IS DISTINCT FROM p_conversation_id THEN
      RETURN NEXT;
      RETURN;
    END IF;
    reply := json_build_object(
      'id', p_reply_to_id, 'seq', v_target_seq, 'sender_id', v_target_sender_id,
      'body', CASE WHEN v_target_deleted_at IS NULL THEN v_target_body ELSE '' END,
      'deleted', v_target_deleted_at IS NOT NULL);
  END IF;

  -- Every mentioned person is an active member.
  IF p_mention_count > 0 THEN
    SELECT count(*) = p_mention_count INTO mentions_ok
      FROM conversation_members AS m
     WHERE m.conversation_id = p_conversation_id AND m.user_id = ANY (p_mentions::uuid[]) AND m.left_at IS NULL;
    IF NOT mentions_ok THEN
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;

  -- The seq (the conversation's row lock serialises appends to one conversation; last_activity_at is read after
  -- the lock is held, so it never moves backwards) and the message with it.
  WITH alloc AS (
    UPDATE conversations AS c
       SET last_seq = c.last_seq + 1,
           last_activity_at = greatest(c.last_activity_at, clock_timestamp())
     WHERE c.id = p_conversation_id
    RETURNING c.last_seq, c.last_activity_at)
  INSERT INTO messages AS m (id, conversation_id, seq, sender_id, client_message_id, kind, body, system, mentions,
                             mentions_all, created_at, reply_to_id, forwarded)
  SELECT p_message_id, p_conversation_id, alloc.last_seq, p_sender_id, p_client_message_id, p_kind, p_body,
         p_system::jsonb, p_mentions::uuid[], p_mentions_all, alloc.last_activity_at, p_reply_to_id, p_forwarded
    FROM alloc
  ON CONFLICT (conversation_id, sender_id, client_message_id) DO NOTHING
  RETURNING m.id, m.conversation_id, m.seq, m.sender_id, m.client_message_id, m.kind, m.body, m.system, m.mentions,
            m.mentions_all, m.created_at, m.reply_to_id, m.forwarded, m.edited_at, m.deleted_at, m.deleted_by,
            m.change_seq
       INTO v_message;
  IF NOT FOUND THEN
    IF NOT EXISTS (SELECT 1 FROM conversations AS c WHERE c.id = p_conversation_id) THEN
      RETURN NEXT;
      RETURN;
    END IF;
    RAISE division_by_zero USING MESSAGE = 'append guard: a seq was allocated but the message was not inserted';
  END IF;
  allocated := 1;
  v_seq := v_message.seq;
  inserted := row_to_json(v_message);

  -- The listed attachments, at their positions in the list: all of them, or the statement rolls back.
  IF p_attachment_count > 0 THEN
    WITH claim AS (
      UPDATE attachments AS a
         SET message_id = p_message_id,
             position = array_position(p_attachment_ids::uuid[], a.id) - 1
       WHERE a.id = ANY (p_attachment_ids::uuid[])
         AND a.conversation_id = p_conversation_id
         AND a.uploader_id = p_sender_id
         AND a.message_id IS NULL
      RETURNING a.*)
    SELECT count(*)::integer, coalesce(json_agg(claim ORDER BY claim.position), '[]'::json)
      INTO v_claimed_count, claimed
      FROM claim;
    IF v_claimed_count < p_attachment_count THEN
      RAISE division_by_zero USING MESSAGE = 'append guard: fewer attachments claimed than listed';
    END IF;
  END IF;

  -- Under the conversation's row lock now, and in a new snapshot: the sender's watermarks, which also re-checks
  -- that the sender is still an active member (a removal that held the lock while this append waited for it was
  -- not visible to the first check), and the fan-out audience as it is now.
  WITH marks AS (
    UPDATE conversation_members AS m
       SET delivered_seq = greatest(m.delivered_seq, v_seq),
           read_seq = greatest(m.read_seq, v_seq)
     WHERE m.conversation_id = p_conversation_id AND m.user_id = p_sender_id
       AND (NOT p_require_active OR m.left_at IS NULL)
    RETURNING 1)
  SELECT (SELECT count(*) FROM marks) > 0, coalesce(json_agg(m.user_id), '[]'::json)
    INTO v_marked, audience
    FROM conversation_members AS m
   WHERE m.conversation_id = p_conversation_id AND m.left_at IS NULL;
  IF p_require_active AND NOT v_marked THEN
    RAISE EXCEPTION 'append refused: the sender left the conversation while the append waited for its lock'
      USING ERRCODE = 'RL001';
  END IF;
  RETURN NEXT;
END
$append$;
