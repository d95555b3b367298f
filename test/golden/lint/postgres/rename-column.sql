-- rename-column: renaming a released column; renaming a column of the same unreleased change is fine.
-- released: 0002
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_rename.sql
ALTER TABLE users RENAME COLUMN name TO full_name;
-- file: 0003_add.sql
ALTER TABLE orders ADD COLUMN notes text;
-- file: 0004_rename_new.sql
ALTER TABLE orders RENAME COLUMN notes TO remarks;
