-- molt:phase expand
-- Filled in by the background job after each insert; nullable, so the previous release keeps working.
ALTER TABLE notes ADD COLUMN words integer;
