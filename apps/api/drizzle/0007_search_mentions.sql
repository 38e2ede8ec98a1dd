ALTER TABLE "conversation_members" ADD COLUMN "notification_level" text DEFAULT 'all' NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "mentions" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "mentions_all" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "conversation_members" ADD CONSTRAINT "conversation_members_notification_level_ck" CHECK ("conversation_members"."notification_level" IN ('all', 'mentions', 'none'));--> statement-breakpoint
-- Message search (written by hand; see docs/search.md). unaccent is a trusted extension (PostgreSQL 13+): a
-- database owner may create it; PGlite loads it from @electric-sql/pglite/contrib/unaccent.
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
-- `simple` (lower-case, no stemming, no stop words: right for text of any language) with accents folded first.
CREATE TEXT SEARCH CONFIGURATION relay_search (COPY = pg_catalog.simple);--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION relay_search
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple;--> statement-breakpoint
-- The two-argument to_tsvector with a constant configuration is immutable, so it may define a generated column:
-- always the current text (an edit or an erasure updates it with the row). System messages are not searched.
ALTER TABLE "messages" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (CASE WHEN kind = 'text' THEN to_tsvector('relay_search'::regconfig, body) END) STORED;--> statement-breakpoint
CREATE INDEX "messages_search_idx" ON "messages" USING gin ("search_vector");
