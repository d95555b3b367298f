-- upsert-rows: ON CONFLICT DO UPDATE and MERGE overwrite rows the previous release reads; plain inserts and DO NOTHING are additions.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE TABLE settings (key text PRIMARY KEY, value text);
-- file: 0002_upsert.sql
INSERT INTO settings (key, value) VALUES ('theme', 'dark') ON CONFLICT (key) DO UPDATE SET value = excluded.value;
MERGE INTO settings s USING (VALUES ('lang', 'en')) v(key, value) ON s.key = v.key WHEN MATCHED THEN UPDATE SET value = v.value WHEN NOT MATCHED THEN INSERT VALUES (v.key, v.value);
-- file: 0003_insert.sql
INSERT INTO settings (key, value) VALUES ('mode', 'fast') ON CONFLICT DO NOTHING;
INSERT INTO settings VALUES ('region', 'eu');
