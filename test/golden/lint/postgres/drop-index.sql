-- drop-index: dropping a released index (CONCURRENTLY only avoids the lock); an index created in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE INDEX orders_status_idx ON orders (status);
-- file: 0002_drop_concurrently.sql
DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;
-- file: 0003_new.sql
CREATE TABLE events (id bigint, kind text);
CREATE INDEX events_kind_idx ON events (kind);
DROP INDEX events_kind_idx;
