-- drop-type: dropping, renaming or moving a released type, or dropping an attribute; a type created in the same file is fine.
-- file: 0001_init.sql
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TYPE address AS (street text, city text, zip text);
CREATE TYPE size AS ENUM ('s', 'm');
-- file: 0002_drop.sql
DROP TYPE mood;
ALTER TYPE address DROP ATTRIBUTE zip;
ALTER TYPE size RENAME TO shirt_size;
-- file: 0003_safe.sql
ALTER TYPE address ADD ATTRIBUTE country text;
CREATE TYPE tmp_kind AS ENUM ('a');
DROP TYPE tmp_kind;
