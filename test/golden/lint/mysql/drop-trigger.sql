-- drop-trigger: dropping a released trigger (it may keep two columns in sync); IF EXISTS of an unknown trigger, or one of the same file, is fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), email_lower VARCHAR(255));
CREATE TRIGGER users_email_bi BEFORE INSERT ON users FOR EACH ROW SET NEW.email_lower = LOWER(NEW.email);
-- file: 0002_drop.sql
DROP TRIGGER users_email_bi;
-- file: 0003_safe.sql
DROP TRIGGER IF EXISTS never_created;
CREATE TABLE scratch (id INT PRIMARY KEY, v INT);
CREATE TRIGGER scratch_bi BEFORE INSERT ON scratch FOR EACH ROW SET NEW.v = 1;
DROP TRIGGER scratch_bi;
