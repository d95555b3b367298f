-- upsert-rows: INSERT OR REPLACE, REPLACE INTO and ON CONFLICT DO UPDATE may overwrite rows the previous release reads; OR IGNORE and DO NOTHING may not.
-- file: 0001_init.sql
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
-- file: 0002_upsert.sql
INSERT OR REPLACE INTO settings (key, value) VALUES ('theme', 'dark');
REPLACE INTO settings (key, value) VALUES ('lang', 'en');
INSERT INTO settings (key, value) VALUES ('tz', 'UTC') ON CONFLICT (key) DO UPDATE SET value = excluded.value;
-- file: 0003_insert.sql
INSERT OR IGNORE INTO settings (key, value) VALUES ('theme', 'light');
INSERT INTO settings (key, value) VALUES ('tz', 'UTC') ON CONFLICT (key) DO NOTHING;
