-- detach-partition: detaching a partition makes its rows vanish from the parent, CONCURRENTLY or not; partitions of a new table are fine.
-- file: 0001_init.sql
CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- file: 0002_detach.sql
ALTER TABLE events DETACH PARTITION events_2024;
-- file: 0003_detach_concurrently.sql
ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY;
-- file: 0004_new.sql
CREATE TABLE logs (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE logs_2025 PARTITION OF logs FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE logs DETACH PARTITION logs_2025;
