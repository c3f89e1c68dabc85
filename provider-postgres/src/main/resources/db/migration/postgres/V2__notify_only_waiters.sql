-- NOTIFY serialises the commits of all notifying transactions in a database (PostgreSQL takes a global lock from
-- pre-commit until after the commit record is flushed), which would cap throughput under load. So enqueuing
-- transactions only notify when some worker has said it is idle-waiting on that hub and queue.

-- Idle waiters, one row per provider object and queue kind; unlogged: no WAL, and a crash just forgets them.
create unlogged table waiters (
    hub           text collate "C" not null,
    kind          text collate "C" not null,
    waiter_id     text collate "C" not null,
    waiting_until timestamptz not null,
    primary key (hub, kind, waiter_id)
);

create or replace function notify_enqueued() returns trigger
    language plpgsql
    as $$
declare
    h text;
begin
    for h in select distinct hub from new_rows loop
        if exists (select 1 from "${flyway:defaultSchema}".waiters w where w.hub = h and w.kind = TG_ARGV[0] and w.waiting_until > now()) then
            perform pg_notify('th_' || md5(TG_TABLE_SCHEMA || '/' || h || '/' || TG_ARGV[0]), '');
        end if;
    end loop;
    return null;
end
$$;
