-- Directives around MySQL findings: a contract file, an acknowledged finding, a contract tag on an expand-only file,
-- and allowances that name no rule or acknowledge nothing.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), legacy VARCHAR(10));
-- file: 0002_contract.sql
-- molt:phase contract

ALTER TABLE users DROP COLUMN legacy;
-- file: 0003_acknowledged.sql
CREATE INDEX users_email_idx ON users (email);
-- molt:allow update-rows -- the previous release already writes lower-case addresses
UPDATE users SET email = LOWER(email);
-- file: 0004_contract_for_nothing.sql
-- molt:phase contract

ALTER TABLE users ADD COLUMN phone VARCHAR(20);
-- file: 0005_bad_allows.sql
CREATE INDEX users_phone_idx ON users (phone);
-- molt:allow drop-colum
-- molt:allow drop-table
ALTER TABLE users ADD COLUMN locale VARCHAR(10);
