CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"hash" text NOT NULL,
	"access" text DEFAULT 'full' NOT NULL,
	"prefix" text NOT NULL,
	"last4" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
ALTER TABLE "merchants" DROP CONSTRAINT "merchants_api_key_hash_unique";--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_merchant" ON "api_keys" USING btree ("merchant_id","created_at");--> statement-breakpoint
-- Each merchant's one key so far becomes its first API key: full access, live, last four unknown (only its hash was ever stored).
INSERT INTO "api_keys" ("id", "merchant_id", "hash", "access", "prefix", "last4", "created_at")
SELECT 'key_' || "id", "id", "api_key_hash", 'full', 'cpk_', '····', "created_at" FROM "merchants";--> statement-breakpoint
ALTER TABLE "merchants" DROP COLUMN "api_key_hash";