-- mysql-copy-algorithm: ALGORITHM=COPY or LOCK=SHARED/EXCLUSIVE on a released table; INPLACE/INSTANT with LOCK=NONE, and a plain CREATE INDEX, are fine.
-- file: 0001_init.sql
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), name VARCHAR(100));
-- file: 0002_copy.sql
ALTER TABLE users ADD COLUMN phone VARCHAR(20), ALGORITHM=COPY;
CREATE INDEX users_email_idx ON users (email) LOCK=SHARED;
-- file: 0003_online.sql
ALTER TABLE users ADD COLUMN locale VARCHAR(10), ALGORITHM=INSTANT;
CREATE INDEX users_name_idx ON users (name) ALGORITHM=INPLACE LOCK=NONE;
CREATE INDEX users_phone_idx ON users (phone);
