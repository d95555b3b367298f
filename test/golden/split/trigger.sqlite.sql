CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT, updated_at TEXT);
CREATE TABLE post_log (post_id INTEGER, what TEXT);

CREATE TRIGGER posts_au AFTER UPDATE ON posts
BEGIN
  UPDATE posts SET updated_at = CASE WHEN NEW.updated_at IS NULL THEN datetime('now') ELSE NEW.updated_at END WHERE id = NEW.id;
  INSERT INTO post_log VALUES (NEW.id, 'updated; title ' || NEW.title);
END;

CREATE TEMP TRIGGER posts_ad AFTER DELETE ON posts BEGIN DELETE FROM post_log WHERE post_id = OLD.id; END;

INSERT INTO "posts" (`title`) VALUES ('first; post');
