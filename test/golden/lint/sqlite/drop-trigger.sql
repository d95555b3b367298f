-- drop-trigger: dropping a released trigger; dropping and recreating it unchanged is not.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, email_lower TEXT);
CREATE TRIGGER users_sync AFTER INSERT ON users BEGIN UPDATE users SET email_lower = lower(NEW.email) WHERE id = NEW.id; END;
CREATE TRIGGER users_audit AFTER DELETE ON users BEGIN SELECT 1; END;
-- file: 0002_drop.sql
DROP TRIGGER users_sync;
-- file: 0003_same.sql
DROP TRIGGER IF EXISTS users_audit;
CREATE TRIGGER users_audit AFTER DELETE ON users BEGIN SELECT 1; END;
