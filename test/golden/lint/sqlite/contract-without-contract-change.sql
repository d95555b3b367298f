-- contract-without-contract-change: a file tagged contract that only adds; the one that drops needs the tag.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, legacy TEXT);
-- file: 0002_contract.sql
-- molt:phase contract
ALTER TABLE users ADD COLUMN name TEXT;
-- file: 0003_contract.sql
-- molt:phase contract
ALTER TABLE users DROP COLUMN legacy;
