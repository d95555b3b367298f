-- drop-not-null: a MODIFY that leaves out NOT NULL silently allows NULL; restating NOT NULL keeps the column as it was.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(40) NOT NULL, name VARCHAR(40) NOT NULL);
-- file: 0002_relax.sql
ALTER TABLE users MODIFY email VARCHAR(40);
-- file: 0003_restate.sql
ALTER TABLE users MODIFY name VARCHAR(60) NOT NULL;
