-- upsert-rows: INSERT ... ON DUPLICATE KEY UPDATE and REPLACE overwrite existing rows; INSERT and INSERT IGNORE only add rows.
-- file: 0001_init.sql
CREATE TABLE settings (name VARCHAR(50) PRIMARY KEY, value VARCHAR(255));
-- file: 0002_upsert.sql
INSERT INTO settings (name, value) VALUES ('theme', 'dark') ON DUPLICATE KEY UPDATE value = VALUES(value);
REPLACE INTO settings (name, value) VALUES ('locale', 'en');
-- file: 0003_insert.sql
INSERT INTO settings (name, value) VALUES ('currency', 'EUR');
INSERT IGNORE INTO settings (name, value) VALUES ('timezone', 'UTC');
