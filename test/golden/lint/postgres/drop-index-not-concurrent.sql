-- drop-index-not-concurrent: DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock; CONCURRENTLY alone in its file does not.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_total_idx ON orders (total);
-- file: 0002_drop.sql
DROP INDEX orders_status_idx;
-- file: 0003_drop_concurrently.sql
DROP INDEX CONCURRENTLY orders_total_idx;
