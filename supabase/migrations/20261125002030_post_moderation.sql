-- Automatic post moderation, the database side: what the post_moderation worker reads (the posts
-- and the author's recent activity for the spam rules) and how it applies a verdict.
-- The rules themselves live in supabase/functions/_shared/moderation/.
--
-- Verdicts: approve -> approved, in the feed; flag -> pending and flagged, out of the feed until an
-- admin reviews it; reject -> rejected and flagged. Flagged and rejected posts leave the feed (its
-- view and policies show approved, unflagged posts only) and their author is told why.

-- Identifies the version of a post the worker moderated, so a verdict never lands on newer text.
create function private.post_fingerprint(p_content text, p_images text[], p_links text[])
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select md5(jsonb_build_array(p_content, p_images, p_links)::text);
$$;

-- The posts of a batch with what the spam rules need: how many posts the author published in the
-- burst window before this one, and an earlier post of theirs with the same text (case and
-- spacing ignored) within the duplicate window. awaiting = still waiting for automatic moderation.
create function private.posts_to_moderate(
  p_post_ids uuid[],
  p_burst_window interval default '10 minutes',
  p_duplicate_window interval default '7 days'
)
returns table (
  post_id uuid,
  author_id uuid,
  content text,
  images text[],
  links text[],
  fingerprint text,
  awaiting boolean,
  recent_posts_by_author integer,
  duplicate_of uuid
)
language sql
stable
security definer
set search_path = ''
as $$
  select
    post.id,
    post.author_id,
    post.content,
    post.images,
    post.links,
    private.post_fingerprint(post.content, post.images, post.links),
    post.moderation_status = 'pending' and not post.is_flagged and post.moderated_at is null,
    (
      select count(*)::integer from public.posts as earlier
      where earlier.author_id = post.author_id
        and earlier.id <> post.id
        and earlier.created_at between post.created_at - p_burst_window and post.created_at
    ),
    (
      select earlier.id from public.posts as earlier
      where earlier.author_id = post.author_id
        and earlier.id <> post.id
        and earlier.created_at between post.created_at - p_duplicate_window and post.created_at
        and lower(regexp_replace(btrim(earlier.content), '\s+', ' ', 'g'))
          = lower(regexp_replace(btrim(post.content), '\s+', ' ', 'g'))
      order by earlier.created_at, earlier.id
      limit 1
    )
  from public.posts as post
  where post.id = any (p_post_ids);
$$;
grant execute on function private.posts_to_moderate(uuid[], interval, interval) to service_role;

-- Applies the worker's verdict to the version it moderated. Returns what happened: applied,
-- stale (the text changed since; its own message will moderate the new version),
-- already_moderated (an admin or an earlier delivery decided), not_found (deleted).
-- Idempotent: a redelivered verdict finds the post already moderated.
create function private.apply_post_moderation(
  p_post_id uuid,
  p_fingerprint text,
  p_verdict text,
  p_reason text default null,
  p_details jsonb default '{}'
)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  author uuid;
  current_fingerprint text;
begin
  if p_verdict is null or p_verdict not in ('approve', 'flag', 'reject') then
    raise exception using
      errcode = '22023', message = format('unknown verdict %L (approve, flag or reject)', p_verdict);
  end if;
  if p_verdict <> 'approve' and nullif(btrim(p_reason), '') is null then
    raise exception using errcode = '22023', message = 'a flag or a rejection needs a reason';
  end if;

  update public.posts
  set moderation_status = case p_verdict when 'approve' then 'approved'
                                         when 'flag' then 'pending'
                                         else 'rejected' end,
      is_flagged = p_verdict <> 'approve',
      flag_reason = case when p_verdict = 'approve' then null else left(p_reason, 500) end,
      moderated_at = now()
  where id = p_post_id
    and moderation_status = 'pending' and not is_flagged and moderated_at is null
    and private.post_fingerprint(content, images, links) = p_fingerprint
  returning author_id into author;

  if not found then
    select private.post_fingerprint(content, images, links) into current_fingerprint
    from public.posts where id = p_post_id;
    return case
      when not found then 'not_found'
      when current_fingerprint <> p_fingerprint then 'stale'
      else 'already_moderated'
    end;
  end if;

  if p_verdict <> 'approve' then
    perform private.request_notification(
      p_type := 'moderation',
      p_title := case p_verdict
        when 'flag' then 'Votre publication est en cours de vérification'
        else 'Votre publication a été retirée' end,
      p_body := case p_verdict
        when 'flag' then 'Elle n''apparaît plus dans le fil en attendant l''avis d''un modérateur. '
        else 'Elle ne respecte pas les règles de la communauté. ' end
        || 'Motif : ' || left(p_reason, 500),
      p_user_ids := array[author],
      p_data := jsonb_build_object('postId', p_post_id, 'verdict', p_verdict, 'details', p_details),
      p_dedupe_key := format('post_moderation:%s:%s', p_post_id, p_fingerprint)
    );
  end if;
  return 'applied';
end;
$$;
grant execute on function private.apply_post_moderation(uuid, text, text, text, jsonb)
  to service_role;
