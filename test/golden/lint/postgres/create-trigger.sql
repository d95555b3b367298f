-- create-trigger: a trigger on a released table changes what old writes do; on a new table it is an addition.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text, updated_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
-- file: 0002_trigger.sql
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
-- file: 0003_new_table.sql
CREATE TABLE teams (id bigint PRIMARY KEY, updated_at timestamptz);
CREATE TRIGGER teams_touch BEFORE UPDATE ON teams FOR EACH ROW EXECUTE FUNCTION touch();
