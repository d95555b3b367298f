-- concurrently-in-transaction: a CONCURRENTLY statement next to other statements cannot run in the file transaction; alone, or with `molt:transaction off`, it can.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_mixed.sql
ALTER TABLE orders ADD COLUMN channel text;
CREATE INDEX CONCURRENTLY orders_channel_idx ON orders (channel);
-- file: 0003_alone.sql
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
-- file: 0004_transaction_off.sql
-- molt:transaction off
ALTER TABLE users ADD COLUMN team text;
CREATE INDEX CONCURRENTLY users_team_idx ON users (team);
