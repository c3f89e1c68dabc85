-- Stuck instances and poison-message quarantine (docs/operations.md, "Stuck instances" and "Poison messages"): the
-- hubs' quarantine records, and a partial index on instances whose messages were delivered more than once without a
-- checkpoint, so that the stuck-instance query finds repeated failures without reading every instance.
--
-- The index is built CONCURRENTLY, so that workers keep checkpointing while it builds on a large instances table; that
-- cannot run inside a transaction: the .conf file beside this script sets executeInTransaction=false, and each
-- statement below commits on its own. Every statement can run again (see V3, V5 and docs/postgres.md, Upgrading).

-- One row per record; record is the whole record as JSON (dev.taskhub.spi.support.QuarantineRecords), the other
-- columns are what listing, filtering and purging need.
create table if not exists quarantine (
    hub            text collate "C" not null,
    id             text collate "C" not null,
    instance_id    text collate "C" not null,
    kind           text collate "C" not null,
    quarantined_ns bigint not null,
    record         text   not null,
    primary key (hub, id)
);

-- listing: keyset paging in (quarantined_ns, id) order
create index if not exists quarantine_listed on quarantine (hub, quarantined_ns, id);
-- filtering by instance, and the purge of an instance
create index if not exists quarantine_by_instance on quarantine (hub, instance_id);

-- An interrupted concurrent build leaves an INVALID index behind, which IF NOT EXISTS would accept: drop it first.
do $$
begin
    if exists (select 1 from pg_index x join pg_class c on c.oid = x.indexrelid join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = '${flyway:defaultSchema}' and c.relname = 'instances_redelivered' and not x.indisvalid) then
        execute format('drop index %I.instances_redelivered', '${flyway:defaultSchema}');
    end if;
end
$$;

-- Partial: a healthy instance's delivery count goes 0 -> 1 -> 0 (lock, checkpoint), so only instances whose messages came
-- back after a failed or abandoned episode ever have an entry.
create index concurrently if not exists instances_redelivered on instances (hub, delivery_count) where delivery_count > 1;
