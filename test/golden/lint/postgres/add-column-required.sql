-- add-column-required: NOT NULL without a default on a released table; a default, a nullable column or a new table are fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_required.sql
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL DEFAULT NULL;
-- file: 0003_safe.sql
ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT 'en', ADD COLUMN bio text;
CREATE TABLE teams (id bigint PRIMARY KEY, name text NOT NULL);
ALTER TABLE teams ADD COLUMN slug text NOT NULL;
