import postgres from "postgres";
const port = Deno.args[0];
const sql = postgres(`postgresql://postgres:postgres@127.0.0.1:${port}/postgres`, { max: 2, onnotice: () => {} });
const [{ id: companyId }] = await sql`select id from public.companies limit 1`;
const ids = await sql.begin(async (t) => {
  const out: string[] = [];
  for (let i = 0; i < 40; i++) {
    const [j] = await t`insert into public.jobs (company_id, title, required_skills, nice_to_have_skills, experience_level, location, remote_policy, status)
      values (${companyId}, ${"Développeur·se full-stack " + i}, ${["React", "Node.js", "PostgreSQL"]}, ${["Docker"]}, 'mid', 'Lyon', 'hybrid', 'published') returning id`;
    out.push(j.id);
  }
  return out;
});
class RB extends Error {}
const solo: number[] = [];
for (const id of ids.slice(0, 10)) {
  await sql.begin(async (t) => { const s = performance.now(); await t`select private.rematch(${[id]}::uuid[], '{}')`; solo.push(performance.now() - s); throw new RB(); }).catch((e) => { if (!(e instanceof RB)) throw e; });
}
let next = 0; const start = performance.now();
await Promise.all([0, 1].map(async () => { while (next < ids.length) { const id = ids[next++];
  await sql.begin(async (t) => { await t`select private.rematch(${[id]}::uuid[], '{}')`; throw new RB(); }).catch((e) => { if (!(e instanceof RB)) throw e; }); } }));
const rate = ids.length / ((performance.now() - start) / 1000);
await sql`delete from public.jobs where id = any (${ids}::uuid[])`;
solo.sort((a, b) => a - b);
console.log(port, "solo p50", solo[5].toFixed(1), "concurrent offers/s", rate.toFixed(1));
await sql.end();
