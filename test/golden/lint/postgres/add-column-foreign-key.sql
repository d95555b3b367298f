-- add-column-foreign-key: a new column with REFERENCES (inline, or a validated foreign key on a column added in the same file) locks both tables; NOT VALID on the new column, or a new table, is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name varchar(100), age integer, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2), status text DEFAULT 'new');
CREATE TABLE teams (id bigint PRIMARY KEY);
-- file: 0002_inline.sql
ALTER TABLE users ADD COLUMN team_id bigint REFERENCES teams (id);
-- file: 0003_prisma.sql
ALTER TABLE orders ADD COLUMN team_id bigint;
ALTER TABLE orders ADD CONSTRAINT orders_team_id_fkey FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL;
-- file: 0004_safe.sql
ALTER TABLE teams ADD COLUMN owner_id bigint;
ALTER TABLE teams ADD CONSTRAINT teams_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users (id) NOT VALID;
CREATE TABLE memberships (team_id bigint NOT NULL, user_id bigint NOT NULL);
ALTER TABLE memberships ADD CONSTRAINT memberships_team_id_fkey FOREIGN KEY (team_id) REFERENCES teams (id);
