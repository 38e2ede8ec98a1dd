DROP INDEX "sessions_previous_token_hash_idx";--> statement-breakpoint
ALTER TABLE "sessions" DROP COLUMN "previous_token_hash";