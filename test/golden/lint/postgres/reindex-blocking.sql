-- reindex-blocking: REINDEX without CONCURRENTLY blocks the table; CONCURRENTLY alone in its file, or a new table, is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_reindex.sql
REINDEX TABLE orders;
-- file: 0003_concurrently.sql
REINDEX TABLE CONCURRENTLY users;
-- file: 0004_new.sql
CREATE TABLE events (id bigint PRIMARY KEY);
REINDEX TABLE events;
