-- Taskhub PostgreSQL schema, version 1.
-- Every table carries the task hub name in its first key column, so several hubs share one schema
-- (see docs/postgres.md). Flyway runs this with search_path set to the configured schema.

-- The task hubs created in this schema.
create table hubs (
    hub        text collate "C" not null primary key,
    created_at timestamptz      not null default now()
);

-- One row per instance, and the per-instance queue head: a row exists for every instance that has
-- pending messages, even before the instance itself exists (status is null then: a "phantom" row).
create table instances (
    hub                text collate "C" not null,
    instance_id        text collate "C" not null,
    name               text,
    version            text,
    execution_id       text,
    status             text collate "C",
    input              text,
    output             text,
    custom_status      text,
    failure_details    text,
    -- times of the instance state as epoch nanoseconds, so an Instant reads back exactly as it was written
    created_ns         bigint,
    updated_ns         bigint,
    scheduled_ns       bigint,
    parent_instance_id text,
    -- bumped by every checkpoint that writes history, and by replacing the instance
    history_version    bigint  not null default 0,
    -- number of stored history events (the next event's seq)
    history_count      integer not null default 0,
    -- lease: lock_token is set while a worker holds the instance; locked_until is when the lease ends
    lock_token         text,
    locked_until       timestamptz,
    -- when this instance next needs a worker: min(visible_at) of its messages while unlocked,
    -- locked_until while locked (so a dead worker's lease expires), null when there is nothing to do
    visible_at         timestamptz,
    -- locks since the messages were last consumed
    delivery_count     integer not null default 0,
    primary key (hub, instance_id)
);

-- dequeue: instances whose next work is due
create index instances_due on instances (hub, visible_at) where visible_at is not null;
-- management queries: keyset paging on (created_ns, instance_id), optionally by status
create index instances_created on instances (hub, created_ns, instance_id) where status is not null;
create index instances_status_created on instances (hub, status, created_ns, instance_id) where status is not null;
-- the primary key serves instance-id prefix filters: its columns use the "C" collation

-- History of the current execution of each instance, one row per event.
create table history (
    hub         text collate "C" not null,
    instance_id text collate "C" not null,
    seq         integer not null,
    event       text    not null,
    primary key (hub, instance_id, seq)
);

-- Messages to instances. seq is the global enqueue order.
create table orchestration_messages (
    hub          text collate "C" not null,
    instance_id  text collate "C" not null,
    seq          bigserial not null,
    message_id   text      not null,
    execution_id text,
    event        text      not null,
    visible_at   timestamptz not null default now(),
    primary key (hub, instance_id, seq)
);

-- Activity invocations; locked one message at a time.
create table activity_messages (
    seq            bigserial not null primary key,
    hub            text collate "C" not null,
    message_id     text      not null,
    instance_id    text collate "C" not null,
    execution_id   text,
    task_id        integer   not null,
    name           text      not null,
    input          text,
    visible_at     timestamptz not null default now(),
    lock_token     text,
    delivery_count integer   not null default 0
);

create index activity_messages_due on activity_messages (hub, visible_at);

-- Converts epoch microseconds (as sent by the provider in arrays) to a timestamp; inlined by the planner.
create function micros_ts(bigint) returns timestamptz
    language sql immutable parallel safe
    as $$ select timestamptz 'epoch' + $1 * interval '1 microsecond' $$;

-- NOTIFY in the transaction that enqueues: one notification per hub and queue per statement.
-- Channel: 'th_' || md5(schema || '/' || hub || '/' || kind); the provider computes the same name.
create function notify_enqueued() returns trigger
    language plpgsql
    as $$
declare
    h text;
begin
    for h in select distinct hub from new_rows loop
        perform pg_notify('th_' || md5(TG_TABLE_SCHEMA || '/' || h || '/' || TG_ARGV[0]), '');
    end loop;
    return null;
end
$$;

create trigger orchestration_messages_notify after insert on orchestration_messages
    referencing new table as new_rows for each statement execute function notify_enqueued('o');

create trigger activity_messages_notify after insert on activity_messages
    referencing new table as new_rows for each statement execute function notify_enqueued('a');
