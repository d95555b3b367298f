-- molt:phase expand
-- A nullable column: the previous release keeps inserting without it.
ALTER TABLE notes ADD COLUMN created_at text;
