CREATE TABLE "payout_authorizations" (
	"id" text PRIMARY KEY NOT NULL,
	"refund_id" text NOT NULL,
	"device_id" text NOT NULL,
	"store_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"voided_at" timestamp with time zone,
	"payout_id" text
);
--> statement-breakpoint
CREATE TABLE "payouts" (
	"id" text PRIMARY KEY NOT NULL,
	"device_id" text NOT NULL,
	"store_id" text NOT NULL,
	"seq" integer NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"refund_id" text,
	"authorization_id" text NOT NULL,
	"token" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"paid_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"detail" text NOT NULL,
	"flags" jsonb NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"voucher_id" text NOT NULL,
	"collection_id" text,
	"reason" text NOT NULL,
	"order_ref" text NOT NULL,
	"voucher_link_code" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"reference" text NOT NULL,
	"token" text NOT NULL,
	"kid" integer NOT NULL,
	"payout_code" text NOT NULL,
	"payout_code_sent_to" jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"authorization_id" text,
	"authorized_device_id" text,
	"authorized_at" timestamp with time zone,
	"paid_at" timestamp with time zone,
	"paid_store_id" text,
	"paid_device_id" text,
	"payout_id" text,
	"canceled_at" timestamp with time zone,
	"expired_at" timestamp with time zone,
	CONSTRAINT "refunds_amount_positive" CHECK ("refunds"."amount" > 0),
	CONSTRAINT "refunds_state_known" CHECK ("refunds"."state" in ('pending', 'authorized', 'paid', 'canceled', 'expired')),
	CONSTRAINT "refunds_authorized_has_till" CHECK (("refunds"."state" = 'authorized') = ("refunds"."authorization_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "review_decisions" (
	"collection_id" text PRIMARY KEY NOT NULL,
	"decision" text NOT NULL,
	"result" text NOT NULL,
	"reason" text,
	"refund_id" text,
	"decided_by" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shift_closes" (
	"id" text PRIMARY KEY NOT NULL,
	"device_id" text NOT NULL,
	"store_id" text NOT NULL,
	"seq" integer NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"currency" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	"first_seq" integer,
	"last_seq" integer,
	"collections" jsonb NOT NULL,
	"payout_count" integer NOT NULL,
	"payout_total" bigint NOT NULL,
	"opening_float" bigint NOT NULL,
	"expected_cash" bigint NOT NULL,
	"counted_cash" bigint NOT NULL,
	"difference" bigint NOT NULL,
	"float_left" bigint NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"detail" text NOT NULL,
	"flags" jsonb NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ledger_transactions" ADD COLUMN "refund_id" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "refund_id" text;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "payout_code_above" bigint;--> statement-breakpoint
ALTER TABLE "payout_authorizations" ADD CONSTRAINT "payout_authorizations_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_authorizations" ADD CONSTRAINT "payout_authorizations_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_authorizations" ADD CONSTRAINT "payout_authorizations_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_voucher_id_vouchers_id_fk" FOREIGN KEY ("voucher_id") REFERENCES "public"."vouchers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_kid_signing_keys_kid_fk" FOREIGN KEY ("kid") REFERENCES "public"."signing_keys"("kid") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_decisions" ADD CONSTRAINT "review_decisions_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_decisions" ADD CONSTRAINT "review_decisions_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shift_closes" ADD CONSTRAINT "shift_closes_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shift_closes" ADD CONSTRAINT "shift_closes_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "payout_authorizations_one_live" ON "payout_authorizations" USING btree ("refund_id") WHERE "payout_authorizations"."voided_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "payouts_one_accepted_per_refund" ON "payouts" USING btree ("refund_id") WHERE "payouts"."outcome" = 'accepted';--> statement-breakpoint
CREATE INDEX "payouts_device_seq" ON "payouts" USING btree ("device_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_reference" ON "refunds" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_one_per_collection" ON "refunds" USING btree ("collection_id") WHERE "refunds"."collection_id" is not null;--> statement-breakpoint
CREATE INDEX "refunds_voucher" ON "refunds" USING btree ("voucher_id");--> statement-breakpoint
CREATE INDEX "refunds_merchant_newest" ON "refunds" USING btree ("merchant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "refunds_pending_expiry" ON "refunds" USING btree ("expires_at") WHERE "refunds"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "shift_closes_device_seq" ON "shift_closes" USING btree ("device_id","seq");--> statement-breakpoint
CREATE INDEX "shift_closes_store_closed" ON "shift_closes" USING btree ("store_id","closed_at");--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_refund_id_refunds_id_fk" FOREIGN KEY ("refund_id") REFERENCES "public"."refunds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_one_posting_per_refund_event" ON "ledger_transactions" USING btree ("refund_id","kind") WHERE "ledger_transactions"."refund_id" is not null;