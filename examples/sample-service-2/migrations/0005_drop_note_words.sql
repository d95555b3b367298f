-- molt:phase contract
-- 1.x reads and writes notes.words: this waits until no 1.x instance is live, then runs by itself.
-- Counts 1.x wrote during the roll move over first, so none is lost with the column.
INSERT INTO note_stats (note_id, words)
  SELECT id, words FROM notes WHERE words IS NOT NULL AND id NOT IN (SELECT note_id FROM note_stats);
ALTER TABLE notes DROP COLUMN words;
