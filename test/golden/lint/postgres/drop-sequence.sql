-- drop-sequence: dropping or renaming a released sequence; a sequence created in the same file is fine.
-- file: 0001_init.sql
CREATE SEQUENCE invoice_number;
CREATE SEQUENCE order_number;
-- file: 0002_drop.sql
DROP SEQUENCE invoice_number;
ALTER SEQUENCE order_number RENAME TO order_seq;
-- file: 0003_new.sql
CREATE SEQUENCE scratch_seq;
DROP SEQUENCE scratch_seq;
