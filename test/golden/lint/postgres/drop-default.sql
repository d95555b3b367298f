-- drop-default: dropping the default of a released column; a column without a default, a new one, or a default set back in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_drop_default.sql
ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT;
-- file: 0003_no_op.sql
ALTER TABLE users ALTER COLUMN age DROP DEFAULT;
ALTER TABLE orders ADD COLUMN source text DEFAULT 'api';
ALTER TABLE orders ALTER COLUMN source DROP DEFAULT;
-- file: 0004_drop_then_restore.sql
ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;
ALTER TABLE orders ALTER COLUMN status TYPE varchar;
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new';
