-- add-unique-concurrently: CREATE UNIQUE INDEX CONCURRENTLY on released columns does not block but still tightens writes; on a new column it is fine.
-- released: 0002
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_unique_concurrently.sql
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);
-- file: 0003_new_column.sql
ALTER TABLE orders ADD COLUMN reference text;
-- file: 0004_index_new_column.sql
CREATE UNIQUE INDEX CONCURRENTLY orders_reference_key ON orders (reference);
