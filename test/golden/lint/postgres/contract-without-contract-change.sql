-- contract-without-contract-change: a file tagged contract that only adds things; a tagged file with a real contract change is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_needless.sql
-- molt:phase contract
ALTER TABLE users ADD COLUMN bio text;
-- file: 0003_needed.sql
-- molt:phase contract
ALTER TABLE users DROP COLUMN bio;
