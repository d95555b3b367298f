-- enum-change-values: renaming or removing values of a released enum, including Prisma's swap to a new enum type; a new enum is fine.
-- file: 0001_init.sql
CREATE TYPE "Status" AS ENUM ('NEW', 'PAID', 'CANCELLED');
CREATE TABLE "Order" ("id" TEXT NOT NULL, "status" "Status" NOT NULL);
-- file: 0002_rename_value.sql
ALTER TYPE "Status" RENAME VALUE 'CANCELLED' TO 'CANCELED';
-- file: 0003_prisma_remove_value.sql
-- molt:phase contract
BEGIN;
CREATE TYPE "Status_new" AS ENUM ('NEW', 'PAID');
ALTER TABLE "Order" ALTER COLUMN "status" TYPE "Status_new" USING ("status"::text::"Status_new");
ALTER TYPE "Status" RENAME TO "Status_old";
ALTER TYPE "Status_new" RENAME TO "Status";
DROP TYPE "Status_old";
COMMIT;
-- file: 0004_new.sql
CREATE TYPE "Channel" AS ENUM ('WEB', 'APP');
ALTER TYPE "Channel" RENAME VALUE 'APP' TO 'MOBILE';
