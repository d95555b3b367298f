-- call-procedure: CALL of a procedure whose body molt did not read is ambiguous; a procedure created in the history is classified by its body.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE PROCEDURE seed_admin() LANGUAGE sql BEGIN ATOMIC INSERT INTO users (id, email) VALUES (1, 'admin@example.com'); END;
-- file: 0002_call.sql
CALL archive_old_users(90);
-- file: 0003_known.sql
CALL seed_admin();
