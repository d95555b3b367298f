-- update-rows: UPDATE of released columns changes data the previous release reads; updates of new tables are fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_update.sql
UPDATE orders SET status = 'paid' WHERE status = 'settled';
WITH moved AS (UPDATE users SET email = lower(email) RETURNING id) SELECT count(*) FROM moved;
-- file: 0003_new_table.sql
CREATE TABLE settings (key text PRIMARY KEY, value text);
INSERT INTO settings VALUES ('theme', 'dark');
UPDATE settings SET value = 'light';
