-- The one way the rest of the system asks for a notification: a message on the `notifications`
-- queue, enqueued in the caller's transaction. The dispatcher (queue-worker) expands the audience,
-- applies preferences and delivers in-app, push, email and SMS.
--
-- Message shape (also produced by the notify Edge Function):
--   { requestId, type, title, body, data,
--     audience: { userIds: [...] } | { role, filters: { skills?: [...], location? } },
--     dedupeKey?, collapseKey? }

-- The request itself, checked: what request_notification enqueues, for a caller enqueuing many
-- at once (private.enqueue_batch). Null when p_user_ids is empty (nobody to tell).
create function private.notification_request(
  p_type text,
  p_title text,
  p_body text,
  p_user_ids uuid[] default null,
  p_role text default null,
  p_filters jsonb default '{}',
  p_data jsonb default '{}',
  p_dedupe_key text default null,
  p_collapse_key text default null
) returns jsonb
language plpgsql volatile
set search_path = ''
as $$
begin
  if p_type is null or p_type not in (
    'job_alert', 'message', 'application', 'moderation', 'marketing', 'system'
  ) then
    raise exception using
      errcode = '22023',
      message = format('request_notification: p_type must be one of job_alert, message, '
        || 'application, moderation, marketing, system (got %s)', p_type);
  end if;
  if (p_user_ids is null) = (p_role is null) then
    raise exception using
      errcode = '22023',
      message = 'request_notification: pass p_user_ids or p_role, not both and not neither';
  end if;
  if p_role is not null and p_role not in ('candidate', 'company', 'admin') then
    raise exception using
      errcode = '22023',
      message = format('request_notification: p_role must be candidate, company or admin (got %s)',
        p_role);
  end if;
  if p_user_ids is not null and cardinality(p_user_ids) = 0 then
    return null;
  end if;
  return jsonb_strip_nulls(jsonb_build_object(
    'requestId', gen_random_uuid(),
    'type', p_type,
    'title', p_title,
    'body', p_body,
    'data', coalesce(p_data, '{}'::jsonb),
    'audience', case
      when p_role is null then jsonb_build_object('userIds', to_jsonb(p_user_ids))
      else jsonb_build_object('role', p_role, 'filters', coalesce(p_filters, '{}'::jsonb))
    end,
    'dedupeKey', p_dedupe_key,
    'collapseKey', p_collapse_key
  ));
end;
$$;

-- Enqueues one request; returns its message id (null when there is nobody to tell).
create function private.request_notification(
  p_type text,
  p_title text,
  p_body text,
  p_user_ids uuid[] default null,
  p_role text default null,
  p_filters jsonb default '{}',
  p_data jsonb default '{}',
  p_dedupe_key text default null,
  p_collapse_key text default null
) returns bigint
language plpgsql security definer
set search_path = ''
as $$
declare
  request jsonb := private.notification_request(p_type, p_title, p_body, p_user_ids, p_role,
    p_filters, p_data, p_dedupe_key, p_collapse_key);
begin
  if request is null then
    return null;
  end if;
  return private.enqueue('notifications', request);
end;
$$;
grant execute on function private.request_notification(
  text, text, text, uuid[], text, jsonb, jsonb, text, text
) to service_role;
