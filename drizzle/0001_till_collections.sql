CREATE TABLE "collections" (
	"id" text PRIMARY KEY NOT NULL,
	"device_id" text NOT NULL,
	"store_id" text NOT NULL,
	"seq" integer NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"voucher_id" text,
	"token" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"tender" text NOT NULL,
	"tender_reference" text,
	"collected_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"detail" text NOT NULL,
	"flags" jsonb NOT NULL,
	"signature" text NOT NULL,
	CONSTRAINT "collections_outcome_known" CHECK ("collections"."outcome" in ('accepted', 'duplicate', 'late', 'mismatch', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"name" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"credential_hash" text NOT NULL,
	"enrolled_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	CONSTRAINT "devices_credential_hash_unique" UNIQUE("credential_hash")
);
--> statement-breakpoint
CREATE TABLE "enrollment_codes" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"device_id" text
);
--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "currency" text DEFAULT 'EUR' NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "max_voucher_amount" bigint DEFAULT 25000 NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "max_unsynced_total" bigint DEFAULT 100000 NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "max_unsynced_count" integer DEFAULT 100 NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "max_offline_seconds" integer DEFAULT 86400 NOT NULL;--> statement-breakpoint
ALTER TABLE "vouchers" ADD COLUMN "paid_collection_id" text;--> statement-breakpoint
ALTER TABLE "vouchers" ADD COLUMN "paid_store_id" text;--> statement-breakpoint
ALTER TABLE "vouchers" ADD COLUMN "status_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "collections" ADD CONSTRAINT "collections_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collections" ADD CONSTRAINT "collections_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collections" ADD CONSTRAINT "collections_voucher_id_vouchers_id_fk" FOREIGN KEY ("voucher_id") REFERENCES "public"."vouchers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollment_codes" ADD CONSTRAINT "enrollment_codes_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "collections_one_accepted_per_voucher" ON "collections" USING btree ("voucher_id") WHERE "collections"."outcome" = 'accepted';--> statement-breakpoint
CREATE INDEX "collections_device_seq" ON "collections" USING btree ("device_id","seq");--> statement-breakpoint
CREATE INDEX "collections_voucher" ON "collections" USING btree ("voucher_id");--> statement-breakpoint
CREATE INDEX "vouchers_status_changed" ON "vouchers" USING btree ("status_changed_at","id") WHERE "vouchers"."status_changed_at" is not null;--> statement-breakpoint
ALTER TABLE "stores" ADD CONSTRAINT "stores_limits_positive" CHECK ("stores"."max_voucher_amount" > 0 and "stores"."max_unsynced_total" > 0 and "stores"."max_unsynced_count" > 0 and "stores"."max_offline_seconds" > 0);