-- drop-default: DROP DEFAULT, or a MODIFY that leaves the default out; dropping a default that never existed changes nothing.
-- file: 0001_init.sql
CREATE TABLE tickets (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL DEFAULT 'open', source VARCHAR(20) NOT NULL DEFAULT 'web', note TEXT);
-- file: 0002_drop_default.sql
ALTER TABLE tickets ALTER COLUMN status DROP DEFAULT;
ALTER TABLE tickets MODIFY source VARCHAR(20) NOT NULL;
-- file: 0003_no_default.sql
ALTER TABLE tickets ALTER COLUMN note DROP DEFAULT;
