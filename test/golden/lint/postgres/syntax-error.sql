-- syntax-error: statements PostgreSQL's parser rejects, with the column where it stopped (after non-ASCII text too).
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_typo.sql
ALTER TABLE users ADD COLUMN bio text;
ALTER TABLE users ADD COLUM nickname text;
SELECT 'déjà vu ✓' AS note FROM users WHER id = 1;
-- file: 0003_ok.sql
ALTER TABLE users ADD COLUMN nickname text;
