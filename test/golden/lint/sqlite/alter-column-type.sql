-- alter-column-type: a rebuild that changes a released column's type affinity (how SQLite stores and compares its values); VARCHAR(36) to TEXT keeps TEXT affinity.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, age TEXT, email VARCHAR(36));
-- file: 0002_retype.sql
CREATE TABLE users_new (id INTEGER PRIMARY KEY, age INTEGER, email VARCHAR(36));
INSERT INTO users_new SELECT * FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
-- file: 0003_same_affinity.sql
CREATE TABLE users_new (id INTEGER PRIMARY KEY, age INTEGER, email TEXT);
INSERT INTO users_new SELECT * FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
