CREATE TABLE events (id bigserial PRIMARY KEY, payload jsonb, note text);

CREATE OR REPLACE FUNCTION events_touch() RETURNS trigger AS $body$
BEGIN
  NEW.note := coalesce(NEW.note, 'touched; at ' || now()::text);
  RETURN NEW;
END;
$body$ LANGUAGE plpgsql;

CREATE TRIGGER events_touch BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_touch();

DO $$
BEGIN
  PERFORM 1; -- nothing; really
  RAISE NOTICE 'it''s done; $1 $tag';
END
$$;

COMMENT ON TABLE events IS $c$Holds $$ and ; freely$c$;
SELECT a$b, 'a$b' AS s, E'it\'s;' AS e FROM (SELECT 1 AS a$b) AS t;
