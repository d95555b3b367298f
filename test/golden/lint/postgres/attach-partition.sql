-- attach-partition: attaching a released table as a partition scans it; a partition table created in the same file is fine.
-- file: 0001_init.sql
CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024 (id bigint, at date NOT NULL);
-- file: 0002_attach.sql
ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- file: 0003_new_partition.sql
CREATE TABLE events_2025 (LIKE events INCLUDING ALL);
ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
