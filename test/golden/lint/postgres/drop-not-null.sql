-- drop-not-null: allowing NULL in a released NOT NULL column; a column that already allows NULL, or a new one, is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_drop_not_null.sql
ALTER TABLE orders ALTER COLUMN user_id DROP NOT NULL;
-- file: 0003_no_op.sql
ALTER TABLE users ALTER COLUMN name DROP NOT NULL;
-- file: 0004_new.sql
ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';
ALTER TABLE users ALTER COLUMN plan DROP NOT NULL;
