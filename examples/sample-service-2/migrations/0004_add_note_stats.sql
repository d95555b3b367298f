-- molt:phase expand
-- 2.0.0 keeps word counts in their own table; 1.x instances, still serving during the roll, never read it.
CREATE TABLE note_stats (
  note_id integer PRIMARY KEY,
  words integer NOT NULL
);
