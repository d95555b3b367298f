-- drop-column: dropping a released column; a column added by the same file, or by an unreleased one, is fine.
-- released: 0002
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_drop.sql
ALTER TABLE users DROP COLUMN name, DROP COLUMN age CASCADE;
-- file: 0003_add.sql
ALTER TABLE users ADD COLUMN nickname text;
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders DROP COLUMN note;
-- file: 0004_drop_unreleased.sql
ALTER TABLE users DROP COLUMN nickname;
