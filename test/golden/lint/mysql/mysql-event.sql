-- mysql-event: scheduled events run against the data of both releases; dropping an event created in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE sessions (id CHAR(36) PRIMARY KEY, expires_at DATETIME NOT NULL);
-- file: 0002_event.sql
CREATE EVENT purge_sessions ON SCHEDULE EVERY 1 HOUR DO DELETE FROM sessions WHERE expires_at < NOW();
-- file: 0003_change.sql
ALTER EVENT purge_sessions DISABLE;
DROP EVENT IF EXISTS never_created;
