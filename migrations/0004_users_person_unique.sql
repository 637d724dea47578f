DROP INDEX "users_person";--> statement-breakpoint
CREATE UNIQUE INDEX "users_person" ON "users" USING btree ("person_id") WHERE person_id IS NOT NULL;