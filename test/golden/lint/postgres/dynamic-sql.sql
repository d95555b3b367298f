-- dynamic-sql: EXECUTE in a DO block cannot be read; the static statements of a DO block are classified like any other.
-- file: 0001_init.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text);
-- file: 0002_dynamic.sql
DO $$
BEGIN
  EXECUTE format('ALTER TABLE %I ADD COLUMN note text', 'users');
END $$;
-- file: 0003_static.sql
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN
    CREATE TYPE mood AS ENUM ('happy', 'sad');
  END IF;
END $$;
