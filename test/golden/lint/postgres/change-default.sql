-- change-default: changing the default of a released column (also by dropping it and setting another in one file); a first default or the same default restated is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_change.sql
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'pending';
-- file: 0003_first_default.sql
ALTER TABLE users ALTER COLUMN age SET DEFAULT 0;
ALTER TABLE users ALTER COLUMN created_at SET DEFAULT now();
-- file: 0004_drop_then_set.sql
ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE users ALTER COLUMN created_at SET DEFAULT clock_timestamp();
