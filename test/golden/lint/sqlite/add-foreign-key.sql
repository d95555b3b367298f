-- add-foreign-key: a rebuild that adds a foreign key on a released column; REFERENCES on a new column (all NULL) tightens nothing.
-- file: 0001_init.sql
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE users (id INTEGER PRIMARY KEY, team_id INTEGER);
-- file: 0002_rebuild.sql
CREATE TABLE users_new (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES teams (id));
INSERT INTO users_new SELECT * FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
-- file: 0003_new_column.sql
ALTER TABLE users ADD COLUMN manager_id INTEGER REFERENCES users (id);
