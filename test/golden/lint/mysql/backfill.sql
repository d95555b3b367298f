-- backfill: filling a column added by this release is compatible but runs as one long statement (warning); a column of a later release
-- stays fresh until the release is shipped.
-- released: 0002
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255));
-- file: 0002_add.sql
ALTER TABLE users ADD COLUMN email_lower VARCHAR(255);
UPDATE users SET email_lower = LOWER(email);
-- file: 0003_add_unreleased.sql
ALTER TABLE users ADD COLUMN domain VARCHAR(255);
-- file: 0004_backfill_unreleased.sql
UPDATE users SET domain = SUBSTRING_INDEX(email, '@', -1);
