CREATE TABLE "session_token_history" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"retired_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "session_token_history" ADD CONSTRAINT "session_token_history_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "session_token_history_session_idx" ON "session_token_history" USING btree ("session_id");--> statement-breakpoint
-- Backfill (hand-added): sessions rotated before this migration remember one retired hash, previous_token_hash.
INSERT INTO "session_token_history" ("token_hash", "session_id", "retired_at") SELECT "previous_token_hash", "id", "last_used_at" FROM "sessions" WHERE "previous_token_hash" IS NOT NULL ON CONFLICT DO NOTHING;
