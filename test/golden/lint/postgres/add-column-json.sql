-- add-column-json: a json column on a released table can break DISTINCT/UNION over it; jsonb, or json on a new table, is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_json.sql
ALTER TABLE orders ADD COLUMN payload json;
-- file: 0003_jsonb.sql
ALTER TABLE orders ADD COLUMN details jsonb;
CREATE TABLE webhooks (id bigint PRIMARY KEY, body json);
