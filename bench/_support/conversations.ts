// Direct conversations between benchmark users, written set-based in two statements (the
// conversations, then both participants of each), bypassing the messaging rule as a seed does.

import type postgres from "postgres";

export interface DirectConversation {
  conversation_id: string;
  company_id: string;
  candidate_id: string;
}

export async function insertDirectConversations(
  sql: postgres.Sql,
  conversations: DirectConversation[],
): Promise<void> {
  await sql`
    insert into public.conversations (id, direct_key)
    select conversation_id, least(company_id, candidate_id)::text || ':'
      || greatest(company_id, candidate_id)::text
    from jsonb_to_recordset(${sql.json(conversations as never)}::jsonb)
      as pair (conversation_id uuid, company_id uuid, candidate_id uuid)`;
  await sql`
    insert into public.conversation_participants (conversation_id, user_id)
    select conversation_id, member
    from jsonb_to_recordset(${sql.json(conversations as never)}::jsonb)
      as pair (conversation_id uuid, company_id uuid, candidate_id uuid)
    cross join lateral (values (company_id), (candidate_id)) as members (member)`;
}
