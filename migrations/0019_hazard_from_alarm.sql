ALTER TABLE "hazards" ADD COLUMN "alarm_id" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "hazards_alarm" ON "hazards" USING btree ("alarm_id") WHERE alarm_id IS NOT NULL;