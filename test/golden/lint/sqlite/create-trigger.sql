-- create-trigger: a trigger on a released table changes what the previous release's writes do; on a new table it does not.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, updated_at TEXT);
-- file: 0002_trigger.sql
CREATE TRIGGER users_touch AFTER UPDATE ON users
BEGIN
  UPDATE users SET updated_at = datetime('now') WHERE id = NEW.id;
END;
-- file: 0003_fresh.sql
CREATE TABLE invites (id INTEGER PRIMARY KEY, code TEXT, code_upper TEXT);
CREATE TRIGGER invites_upper AFTER INSERT ON invites
BEGIN
  UPDATE invites SET code_upper = upper(NEW.code) WHERE id = NEW.id;
END;
