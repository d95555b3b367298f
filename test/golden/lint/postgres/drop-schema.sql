-- drop-schema: dropping or renaming a released schema; a schema created in the same file is fine.
-- file: 0001_init.sql
CREATE SCHEMA reporting;
CREATE SCHEMA billing;
-- file: 0002_drop.sql
DROP SCHEMA reporting CASCADE;
ALTER SCHEMA billing RENAME TO finance;
-- file: 0003_new.sql
CREATE SCHEMA scratch;
DROP SCHEMA scratch;
