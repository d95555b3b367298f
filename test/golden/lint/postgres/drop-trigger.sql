-- drop-trigger: dropping, enabling or disabling a trigger of a released table; a trigger created in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text, updated_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
-- file: 0002_drop.sql
DROP TRIGGER users_touch ON users;
ALTER TABLE users DISABLE TRIGGER ALL;
-- file: 0003_new.sql
CREATE TABLE teams (id bigint PRIMARY KEY, updated_at timestamptz);
CREATE TRIGGER teams_touch BEFORE UPDATE ON teams FOR EACH ROW EXECUTE FUNCTION touch();
DROP TRIGGER teams_touch ON teams;
