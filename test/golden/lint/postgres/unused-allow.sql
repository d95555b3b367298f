-- unused-allow: an acknowledgement of a rule the statement does not break; one that matches is used.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');

-- file: 0002_stale.sql
ALTER TABLE users ADD COLUMN bio text;
-- molt:allow drop-column
ALTER TABLE users ADD COLUMN nickname text;
-- file: 0003_used.sql
ALTER TABLE users ADD COLUMN team text;
-- molt:allow index-not-concurrent -- users is small
CREATE INDEX users_team_idx ON users (team);
