ALTER TABLE "api_keys" ADD COLUMN "mode" text DEFAULT 'live' NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "test_of" text;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "livemode" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "test_merchant_id" text;--> statement-breakpoint
ALTER TABLE "vouchers" ADD COLUMN "livemode" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "stores" ADD CONSTRAINT "stores_test_merchant_id_merchants_id_fk" FOREIGN KEY ("test_merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "stores_one_test_store" ON "stores" USING btree ("test_merchant_id","currency") WHERE "stores"."test_merchant_id" is not null;--> statement-breakpoint
CREATE INDEX "vouchers_test_created" ON "vouchers" USING btree ("created_at") WHERE not "vouchers"."livemode";--> statement-breakpoint
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_test_of_unique" UNIQUE("test_of");