-- drop-object: dropping or renaming operators, casts, collations, text search configurations and similar objects; new ones are fine.
-- file: 0001_init.sql
CREATE COLLATION german (provider = icu, locale = 'de-DE');
CREATE TEXT SEARCH CONFIGURATION docs_search (COPY = english);
-- file: 0002_drop.sql
DROP COLLATION german;
ALTER TEXT SEARCH CONFIGURATION docs_search RENAME TO search_docs;
-- file: 0003_new.sql
CREATE COLLATION french (provider = icu, locale = 'fr-FR');
CREATE PUBLICATION app_changes FOR ALL TABLES;
