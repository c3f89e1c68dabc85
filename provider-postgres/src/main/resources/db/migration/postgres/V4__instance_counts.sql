-- Instance counts per hub, orchestration name and runtime status, kept current by triggers, so counting a whole hub
-- reads a few rows instead of every instance (InstanceRepository.count). Each backend adds to its own shard of a
-- (hub, name, status) count (pg_backend_pid() % 64), so concurrent checkpoints seldom wait for each other here; the
-- sum over the shards is the count. Instances without a status (placeholders for early messages) are not counted.

create table instance_counts (
    hub    text collate "C" not null,
    name   text collate "C" not null,
    status text collate "C" not null,
    shard  smallint not null,
    n      bigint   not null,
    primary key (hub, name, status, shard)
);

-- deleted rows (purge, deleting a hub): one aggregated change per (hub, name, status) and statement, in key order
create function count_deleted_instances() returns trigger
    language plpgsql
    as $$
begin
    insert into "${flyway:defaultSchema}".instance_counts as c (hub, name, status, shard, n)
    select r.hub, coalesce(r.name, ''), r.status, pg_backend_pid() % 64, -count(*)
    from old_rows r where r.status is not null group by 1, 2, 3 order by 1, 2, 3
    on conflict (hub, name, status, shard) do update set n = c.n + excluded.n;
    return null;
end
$$;

-- a created instance counts once; an update that changes the status or the name moves one instance from one count
-- to another. Row triggers with a WHEN condition: the many inserts and updates that change neither (placeholder
-- rows, queue heads, leases) do not call them at all.
create function count_updated_instance() returns trigger
    language plpgsql
    as $$
begin
    insert into "${flyway:defaultSchema}".instance_counts as c (hub, name, status, shard, n)
    select d.hub, d.name, d.status, pg_backend_pid() % 64, d.n
    from (values (old.hub, coalesce(old.name, ''), old.status, -1::bigint), (new.hub, coalesce(new.name, ''), new.status, 1::bigint))
         as d(hub, name, status, n)
    where d.status is not null and d.hub is not null order by 1, 2, 3
    on conflict (hub, name, status, shard) do update set n = c.n + excluded.n;
    return null;
end
$$;

create trigger instances_count_insert after insert on instances
    for each row when (new.status is not null) execute function count_updated_instance();
create trigger instances_count_delete after delete on instances
    referencing old table as old_rows for each statement execute function count_deleted_instances();
create trigger instances_count_update after update of status, name on instances
    for each row when (old.status is distinct from new.status or old.name is distinct from new.name)
    execute function count_updated_instance();

-- the instances that exist already (this transaction holds the triggers' table lock, so no change slips in between)
insert into instance_counts (hub, name, status, shard, n)
select hub, coalesce(name, ''), status, 0, count(*) from instances where status is not null group by 1, 2, 3;
