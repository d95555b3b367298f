-- table-rewrite: ENGINE=, FORCE, ROW_FORMAT=, OPTIMIZE TABLE and FULLTEXT indexes rebuild or block a released table; on a new table they are free.
-- file: 0001_init.sql
CREATE TABLE posts (id INT PRIMARY KEY, title VARCHAR(200), body TEXT) ENGINE=InnoDB;
-- file: 0002_rebuild.sql
ALTER TABLE posts ENGINE=InnoDB;
ALTER TABLE posts FORCE;
ALTER TABLE posts ROW_FORMAT=COMPRESSED;
OPTIMIZE TABLE posts;
ALTER TABLE posts ADD FULLTEXT INDEX posts_body_ft (body);
-- file: 0003_fresh.sql
CREATE TABLE drafts (id INT PRIMARY KEY, body TEXT);
ALTER TABLE drafts ENGINE=InnoDB, ADD FULLTEXT INDEX drafts_body_ft (body);
OPTIMIZE TABLE drafts;
