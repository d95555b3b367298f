-- set-not-null-checked: SET NOT NULL after a validated CHECK (col IS NOT NULL) skips the scan but still tightens writes; without the check it is set-not-null.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_check.sql
-- molt:phase contract
ALTER TABLE users ADD CONSTRAINT users_name_not_null CHECK (name IS NOT NULL) NOT VALID;
-- file: 0003_validate.sql
ALTER TABLE users VALIDATE CONSTRAINT users_name_not_null;
-- file: 0004_set_not_null.sql
-- molt:phase contract
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_name_not_null;
