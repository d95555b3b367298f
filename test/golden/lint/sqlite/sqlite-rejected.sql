-- sqlite-rejected: SQLite refuses the statement on the replay database (here, a function and a virtual table module only the application registers); statements that need its result fail too, and say why.
-- file: 0001_init.sql
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
-- file: 0002_app_function.sql
UPDATE users SET email = app_normalize_email(email);
-- file: 0003_app_module.sql
CREATE VIRTUAL TABLE user_search USING app_search(email);
INSERT INTO user_search (email) SELECT email FROM users;
-- file: 0004_fine.sql
CREATE VIRTUAL TABLE user_fts USING fts5(email);
INSERT INTO user_fts (email) SELECT email FROM users;
