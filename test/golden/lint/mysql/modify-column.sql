-- modify-column: MODIFY or CHANGE of a column whose previous definition the history does not show; an identical restatement of a known column is neutral.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255) NOT NULL DEFAULT '');
-- file: 0002_unknown.sql
ALTER TABLE legacy_accounts MODIFY note TEXT;
-- file: 0003_restate.sql
ALTER TABLE users MODIFY email VARCHAR(255) NOT NULL DEFAULT '';
