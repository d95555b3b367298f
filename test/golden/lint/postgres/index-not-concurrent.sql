-- index-not-concurrent: CREATE INDEX without CONCURRENTLY on a released table blocks writes; CONCURRENTLY alone in its file, or a new table, is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_index.sql
CREATE INDEX orders_user_id_idx ON orders (user_id);
CREATE INDEX ON users (lower(email));
-- file: 0003_concurrently.sql
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);
-- file: 0004_new_table.sql
CREATE TABLE events (id bigint, kind text);
CREATE INDEX events_kind_idx ON events (kind);
