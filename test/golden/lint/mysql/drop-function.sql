-- drop-function: dropping a released function or procedure; DROP IF EXISTS of one that never existed is fine.
-- file: 0001_init.sql
CREATE FUNCTION add_vat(amount DECIMAL(10,2)) RETURNS DECIMAL(10,2) DETERMINISTIC RETURN amount * 1.2;
-- file: 0002_drop.sql
DROP FUNCTION add_vat;
-- file: 0003_cleanup.sql
DROP PROCEDURE IF EXISTS never_created;
