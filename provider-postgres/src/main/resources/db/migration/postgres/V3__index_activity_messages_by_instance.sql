-- Purge deletes the queued activity messages of the instances it removes by (hub, instance_id); without an index on
-- those columns every purge batch scanned all of the hub's activity messages.
--
-- Built CONCURRENTLY, so that workers of every hub in this schema keep enqueuing, locking and completing activities
-- while the index builds on a large table. That cannot run inside a transaction: the .conf file beside this script
-- sets executeInTransaction=false, and each statement below commits on its own. See docs/postgres.md (Upgrading).

-- A concurrent build that was interrupted (process killed, connection lost) leaves an INVALID index behind, which
-- IF NOT EXISTS would accept; drop it so that the build below starts over.
do $$
begin
    if exists (select 1 from pg_index x join pg_class c on c.oid = x.indexrelid join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = '${flyway:defaultSchema}' and c.relname = 'activity_messages_instance' and not x.indisvalid) then
        execute format('drop index %I.activity_messages_instance', '${flyway:defaultSchema}');
    end if;
end
$$;

-- IF NOT EXISTS: an operator may have created the index beforehand (same name), e.g. at a quiet hour.
create index concurrently if not exists activity_messages_instance on activity_messages (hub, instance_id);
