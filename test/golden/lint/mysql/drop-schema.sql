-- drop-schema: DROP DATABASE / DROP SCHEMA of a database the file did not create.
-- file: 0001_init.sql
CREATE DATABASE IF NOT EXISTS reporting;
-- file: 0002_drop.sql
DROP DATABASE reporting;
-- file: 0003_fresh.sql
CREATE SCHEMA scratch_space;
DROP SCHEMA scratch_space;
