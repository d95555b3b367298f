-- add-column-generated-stored: a stored generated column rewrites a released table; a virtual one (PostgreSQL 18) does not.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_stored.sql
ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED;
-- file: 0003_virtual.sql
ALTER TABLE orders ADD COLUMN total_eur numeric GENERATED ALWAYS AS (total * 0.9) VIRTUAL;
ALTER TABLE users ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email));
