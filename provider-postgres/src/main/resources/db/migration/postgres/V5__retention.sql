-- Retention (docs/operations.md, "Retention"): the hubs' retention policies, and an index on finished instances by
-- status and finish time, so that a retention pass finds the next expired instances of a status with a short index
-- range scan that stops at its limit, however many instances the hub holds.
--
-- The index is built CONCURRENTLY, so that workers keep checkpointing while it builds on a large instances table; that
-- cannot run inside a transaction: the .conf file beside this script sets executeInTransaction=false, and each
-- statement below commits on its own. Every statement can run again (see V3 and docs/postgres.md, Upgrading).

-- One row per policy; name '' is the policy that covers every orchestration name (a name's own policy wins over it).
create table if not exists retention_policies (
    hub           text collate "C" not null,
    status        text collate "C" not null,
    name          text collate "C" not null,
    older_than_ms bigint not null,
    primary key (hub, status, name)
);

-- An interrupted concurrent build leaves an INVALID index behind, which IF NOT EXISTS would accept: drop it first.
do $$
begin
    if exists (select 1 from pg_index x join pg_class c on c.oid = x.indexrelid join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = '${flyway:defaultSchema}' and c.relname = 'instances_finished' and not x.indisvalid) then
        execute format('drop index %I.instances_finished', '${flyway:defaultSchema}');
    end if;
end
$$;

-- Partial: only finished instances have entries, so the checkpoints of running instances (which change updated_ns
-- every time) never touch it; an instance enters it once, with its final checkpoint, and leaves it when purged.
-- name is last so that a policy for one name, or a policy for every name but some, is checked inside the index.
create index concurrently if not exists instances_finished on instances (hub, status, updated_ns, name)
    where status in ('COMPLETED', 'FAILED', 'TERMINATED');
