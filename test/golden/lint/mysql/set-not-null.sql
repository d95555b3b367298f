-- set-not-null: MODIFY ... NOT NULL on a released nullable column; on a column added in the same file it is fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, nickname VARCHAR(50));
-- file: 0002_not_null.sql
UPDATE users SET nickname = '' WHERE nickname IS NULL;
ALTER TABLE users MODIFY nickname VARCHAR(50) NOT NULL;
-- file: 0003_fresh.sql
ALTER TABLE users ADD COLUMN locale VARCHAR(10);
ALTER TABLE users MODIFY locale VARCHAR(10) NOT NULL DEFAULT 'en';
