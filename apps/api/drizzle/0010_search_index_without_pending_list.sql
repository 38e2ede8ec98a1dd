-- The search index takes each message's entries when the message is inserted, instead of gathering them in a
-- pending list (written by hand; the index itself comes from 0007_search_mentions).
--
-- With the pending list (GIN's `fastupdate`, on by default), the insert that fills it (gin_pending_list_limit,
-- 4 MB: about every 13,000 messages here) merges the whole list into the index inside its own statement. Measured
-- under load: each merge made one append statement take 100 to 109 ms instead of 12 to 30, and every send of that
-- moment waited for it (docs/performance.md, "Where the rest of the tail comes from"). Without the list, no append
-- was slower than 30 ms in a run of the same load, and PostgreSQL's CPU a message did not change beyond the noise.
-- PostgreSQL's documentation (GIN, "GIN Fast Update Technique"): "If consistent response time is more important
-- than update speed, use of pending entries can be disabled by turning off the fastupdate storage parameter."
ALTER INDEX "messages_search_idx" SET (fastupdate = off);
--> statement-breakpoint
-- Entries already pending stay readable where they are until a vacuum; merge them now, once.
SELECT gin_clean_pending_list('messages_search_idx');
