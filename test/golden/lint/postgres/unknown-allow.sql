-- unknown-allow: an acknowledgement that names no rule; a correct code acknowledges the finding.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_typo.sql
-- molt:allow index-not-concurent
CREATE INDEX orders_user_id_idx ON orders (user_id);
-- file: 0003_right.sql
-- molt:allow index-not-concurrent -- orders holds a few hundred rows
CREATE INDEX orders_status_idx ON orders (status);
