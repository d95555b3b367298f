-- add-column-volatile-default: a volatile default rewrites a released table; constants and stable functions such as now() keep the fast path.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_volatile.sql
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE orders ADD COLUMN seen_at timestamptz NOT NULL DEFAULT clock_timestamp();
-- file: 0003_stable.sql
ALTER TABLE users ADD COLUMN joined_at timestamptz NOT NULL DEFAULT now(), ADD COLUMN updated_at timestamp(3) DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE orders ADD COLUMN tags text[] NOT NULL DEFAULT ARRAY[]::text[], ADD COLUMN meta jsonb NOT NULL DEFAULT '{}';
CREATE TABLE sessions (id uuid PRIMARY KEY DEFAULT gen_random_uuid());
