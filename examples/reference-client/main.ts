// The Emploi+ reference client: the smallest frontend that uses every part of the contract a
// browser meets — Auth (sign-up metadata, sign-in, sign-out), REST under RLS, RPCs, private
// Realtime channels (database broadcasts, client broadcasts, read receipts), Storage (a profile
// photo in the public avatars bucket). No framework:
// supabase-js from npm, bundled by `deno bundle` (serve.ts). Open it with
// `deno run -A examples/reference-client/serve.ts` against `npm start`;
// tests/browser/reference_app_test.ts drives it with Playwright. Type-checked with the DOM
// library by its own deno.json (`npm test` does).

import { createClient, type RealtimeChannel, type Session } from "@supabase/supabase-js";
import type { Database, Tables } from "../../supabase/functions/_shared/database.types.ts";
import {
  type EventName,
  type EventPayload,
  type NotificationEvent,
  type TopicKind,
  topics,
} from "../../supabase/functions/_shared/realtime_events.ts";

const settings = new URLSearchParams(location.search);
const supabase = createClient<Database>(settings.get("api") ?? "", settings.get("key") ?? "");

const element = <T extends HTMLElement = HTMLElement>(id: string) =>
  document.getElementById(id) as T;
const form = (id: string) => element<HTMLFormElement>(id);
const field = (owner: HTMLFormElement, name: string) =>
  (owner.elements.namedItem(name) as HTMLInputElement).value.trim();
const list = (text: string) =>
  text.split(",").map((item) => item.trim()).filter((item) => item !== "");

function setStatus(text: string, state: "ready" | "busy" | "error" = "ready"): void {
  const status = element("status");
  status.textContent = text;
  status.dataset.state = state;
}

/** Shows a PostgREST, Auth or RPC error as the API explains it: message, then details and hint. */
function showError(error: { message: string; code?: string; details?: string; hint?: string }) {
  const parts = [error.code, error.message, error.details, error.hint].filter(Boolean);
  setStatus(parts.join(" — "), "error");
}

/** Shows a Storage refusal: the HTTP status and storage-api's own code (docs/hiring.md). */
function showStorageError(error: { message: string; status?: number; statusCode?: string }) {
  setStatus(`HTTP ${error.status} — ${error.statusCode} — ${error.message}`, "error");
}

/** A typed listener for one broadcast event of a topic (realtime_events.ts). */
function onEvent<Kind extends TopicKind, Event extends EventName<Kind>>(
  channel: RealtimeChannel,
  _kind: Kind,
  event: Event,
  handle: (payload: EventPayload<Kind, Event>) => void,
): RealtimeChannel {
  return channel.on("broadcast", { event }, ({ payload }) => handle(payload as never));
}

function subscribed(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.subscribe((state, error) => {
      if (state === "SUBSCRIBED") resolve();
      else if (state !== "CLOSED") reject(error ?? new Error(`channel ${channel.topic}: ${state}`));
    });
  });
}

// --- Signing up, in and out -----------------------------------------------------------------

form("sign-up").addEventListener("submit", async (event) => {
  event.preventDefault();
  const owner = form("sign-up");
  setStatus("Signing up…", "busy");
  const [email, password] = [field(owner, "email"), field(owner, "password")];
  // The sign-up metadata keys the database reads (docs/reference/README.md).
  const { data, error } = await supabase.auth.signUp({
    email,
    password,
    options: {
      data: {
        role: field(owner, "role"),
        full_name: field(owner, "full_name"),
        company_name: field(owner, "company_name"),
      },
    },
  });
  if (error) return showError(error);
  // E-mail confirmation is on: sign-up answers without a session (as it does for an address
  // already registered). Signing in works once the address is confirmed, at once locally.
  if (!data.session) {
    const signedIn = await supabase.auth.signInWithPassword({ email, password });
    if (signedIn.error) showError(signedIn.error);
  }
});

form("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const owner = form("sign-in");
  setStatus("Signing in…", "busy");
  const { error } = await supabase.auth.signInWithPassword({
    email: field(owner, "email"),
    password: field(owner, "password"),
  });
  if (error) showError(error);
});

element("sign-out").addEventListener("click", async () => {
  await supabase.rpc("presence_heartbeat", { p_online: false });
  await supabase.auth.signOut();
});

let current: { userId: string; heartbeat: ReturnType<typeof setInterval> } | undefined;

supabase.auth.onAuthStateChange((event, session) => {
  // Auth callbacks must not await other supabase calls: defer the work.
  if (event === "SIGNED_IN" && session && current?.userId !== session.user.id) {
    setTimeout(() => enter(session).catch(showError));
  } else if (event === "SIGNED_OUT") {
    setTimeout(leave);
  }
});

async function enter(session: Session): Promise<void> {
  const userId = session.user.id;
  // Connected members get live events rather than pushes: the heartbeat says they are here.
  current = {
    userId,
    heartbeat: setInterval(() => supabase.rpc("presence_heartbeat"), 25_000),
  };
  await supabase.rpc("presence_heartbeat");
  await supabase.realtime.setAuth(session.access_token);

  // The name as written (others read public_name, once moderation approved it).
  const [account, card] = await Promise.all([
    supabase.rpc("get_account").single(),
    supabase.from("profiles").select("avatar_path").eq("id", userId).single(),
  ]);
  if (account.error) return showError(account.error);
  if (card.error) return showError(card.error);
  const profile = { ...account.data, ...card.data };
  element("me").textContent = profile.full_name;
  element("my-role").textContent = profile.role;
  form("candidate-profile").hidden = profile.role !== "candidate";
  form("post-job").hidden = profile.role !== "company";
  (form("avatar").elements.namedItem("folder") as HTMLInputElement).value = userId;
  if (profile.avatar_path) showAvatar(profile.avatar_path);
  element("signed-out").hidden = true;
  element("signed-in").hidden = false;

  const { data: inbox } = await supabase.from("notifications")
    .select("*").order("created_at", { ascending: false }).limit(20);
  for (const notification of (inbox ?? []).reverse()) showNotification(notification);

  const own = supabase.channel(topics.user(userId), { config: { private: true } });
  onEvent(own, "user", "notification", showNotification);
  onEvent(own, "user", "message_received", (message) => openConversation(message.conversation_id));
  await subscribed(own);
  setStatus("Ready");
}

async function leave(): Promise<void> {
  if (current) clearInterval(current.heartbeat);
  current = undefined;
  conversation = undefined;
  await supabase.removeAllChannels();
  element("notifications").replaceChildren();
  element("messages").replaceChildren();
  element("avatar-image").hidden = true;
  element("avatar-saved").textContent = "";
  element("conversation").hidden = true;
  element("signed-in").hidden = true;
  element("signed-out").hidden = false;
  // Edge Functions from the browser too (their CORS allow-list; the local platform allows localhost).
  supabase.functions.invoke<{ status: string }>("health", { method: "GET" }).then((
    { data, error },
  ) => element("health").textContent = error ? `unreachable: ${error.message}` : data!.status);

  setStatus("Signed out");
}

// --- Candidate profile and company offers (REST under RLS) ----------------------------------

form("candidate-profile").addEventListener("submit", async (event) => {
  event.preventDefault();
  const owner = form("candidate-profile");
  const { error } = await supabase.from("candidates")
    .update({ skills: list(field(owner, "skills")), location: field(owner, "location") })
    .eq("id", current!.userId);
  if (error) return showError(error);
  element("profile-saved").textContent = "saved";
});

form("post-job").addEventListener("submit", async (event) => {
  event.preventDefault();
  const owner = form("post-job");
  const { error } = await supabase.from("jobs").insert({
    title: field(owner, "title"),
    required_skills: list(field(owner, "skills")),
    location: field(owner, "location"),
    status: "published",
  });
  if (error) return showError(error);
  element("job-published").textContent = "published";
});

// --- A profile photo: Storage's public avatars bucket, one folder per member -----------------

/** A small PNG drawn in the page (the member's initial on a colour), so no file is needed. */
function drawnPhoto(initial: string): Promise<Blob> {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  const context = canvas.getContext("2d")!;
  context.fillStyle = `hsl(${Math.floor(Math.random() * 360)} 60% 40%)`;
  context.fillRect(0, 0, 64, 64);
  context.fillStyle = "white";
  context.font = "36px sans-serif";
  context.textAlign = "center";
  context.textBaseline = "middle";
  context.fillText(initial, 32, 34);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => blob ? resolve(blob) : reject(new Error("no PNG")), "image/png")
  );
}

/** The photo from its public URL; `version` makes the browser fetch a replaced file again. */
function showAvatar(path: string, version?: number): void {
  const { publicUrl } = supabase.storage.from("avatars").getPublicUrl(path).data;
  const image = element<HTMLImageElement>("avatar-image");
  image.src = version === undefined ? publicUrl : `${publicUrl}?v=${version}`;
  image.hidden = false;
}

form("avatar").addEventListener("submit", async (event) => {
  event.preventDefault();
  // The folder is the member's id; the field lets the page show what another member's folder
  // answers (the bucket's policies refuse it, and nothing is stored).
  const path = `${field(form("avatar"), "folder")}/avatar.png`;
  setStatus("Uploading…", "busy");
  const photo = await drawnPhoto(element("me").textContent?.charAt(0) || "?");
  const uploaded = await supabase.storage.from("avatars")
    .upload(path, photo, { contentType: "image/png", upsert: true });
  if (uploaded.error) return showStorageError(uploaded.error);
  // The database checks the path is in the member's folder and the file exists.
  const { error } = await supabase.from("profiles")
    .update({ avatar_path: path }).eq("id", current!.userId);
  if (error) return showError(error);
  showAvatar(path, Date.now());
  element("avatar-saved").textContent = "saved";
  setStatus("Ready");
});

// --- Notifications: the inbox, live ---------------------------------------------------------

function showNotification(notification: NotificationEvent | Tables<"notifications">): void {
  const item = document.createElement("li");
  item.dataset.type = notification.type;
  item.textContent = `${notification.title} — ${notification.body ?? ""} `;
  if (notification.type === "job_alert") {
    const { jobId } = notification.data as { jobId: string };
    const apply = document.createElement("button");
    apply.textContent = "Apply";
    apply.className = "apply";
    apply.addEventListener("click", () => applyAndWrite(jobId, item).catch(showError));
    item.append(apply);
  }
  element("notifications").prepend(item);
}

/** Applies to the offer, then opens the conversation with the company (the rule allows it). */
async function applyAndWrite(jobId: string, item: HTMLElement): Promise<void> {
  const applied = await supabase.from("job_applications").insert({ job_id: jobId });
  if (applied.error) return showError(applied.error);
  const { data: job, error } = await supabase.from("jobs")
    .select("company_id").eq("id", jobId).single();
  if (error) return showError(error);
  item.querySelector("button.apply")!.textContent = "Applied";
  const opened = await supabase.rpc("start_conversation", { p_user_id: job.company_id });
  if (opened.error) return showError(opened.error);
  await openConversation(opened.data);
}

// --- A conversation: messages, typing, read receipts ----------------------------------------

let conversation:
  | { id: string; activity: RealtimeChannel; sentAt: Map<string, string>; lastTyping: number }
  | undefined;

async function openConversation(conversationId: string): Promise<void> {
  if (conversation?.id === conversationId) return;
  // The database's events on one topic (read-only), what the clients send on its activity topic.
  const channel = supabase.channel(topics.conversation(conversationId), {
    config: { private: true },
  });
  const activity = supabase.channel(topics.conversationActivity(conversationId), {
    config: { private: true },
  });
  conversation = { id: conversationId, activity, sentAt: new Map(), lastTyping: 0 };
  element("conversation").hidden = false;
  element("messages").replaceChildren();

  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  // Message events name the message; its text is read through row-level security (current
  // participants only), so an event never carries a body.
  onEvent(channel, "conversation", "message_created", async ({ message_id }) => {
    const { data, error } = await supabase.from("messages").select("*").eq("id", message_id)
      .maybeSingle();
    if (error) return showError(error);
    if (data) showMessage(data);
  });
  // Left on another device: this one leaves the channels too.
  onEvent(channel, "conversation", "participant_left", async ({ user_id }) => {
    if (user_id !== current?.userId) return;
    conversation = undefined;
    element("conversation").hidden = true;
    await Promise.all([supabase.removeChannel(channel), supabase.removeChannel(activity)]);
  });
  onEvent(channel, "conversation", "read_receipt", (receipt) => {
    if (receipt.user_id !== current?.userId) showSeenUpTo(receipt.last_read_message_id);
  });
  onEvent(activity, "conversationActivity", "typing", ({ user_id }) => {
    if (user_id === current?.userId) return;
    element("typing").textContent = "typing…";
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => element("typing").textContent = "", 3000);
  });
  await Promise.all([subscribed(channel), subscribed(activity)]);
  element("conversation").dataset.joined = conversationId;

  const { data: history, error } = await supabase.rpc("get_messages", {
    p_conversation_id: conversationId,
  });
  if (error) return showError(error);
  for (const message of history.reverse()) showMessage(message);
}

function showMessage(message: Tables<"messages">): void {
  if (!conversation || document.querySelector(`#messages [data-id="${message.id}"]`)) return;
  const mine = message.sender_id === current?.userId;
  const item = document.createElement("li");
  item.dataset.id = message.id;
  item.className = mine ? "mine" : "theirs";
  item.textContent = message.body ?? "(message deleted)";
  if (mine) {
    conversation.sentAt.set(message.id, message.created_at);
    const receipt = document.createElement("small");
    receipt.className = "receipt";
    receipt.textContent = " sent";
    item.append(receipt);
  } else {
    element("typing").textContent = "";
    // Shown on screen: read. The sender sees a read_receipt.
    supabase.rpc("mark_as_read", {
      p_conversation_id: conversation.id,
      p_message_id: message.id,
    }).then(({ error }) => error && showError(error));
  }
  element("messages").append(item);
}

/** Marks "seen" every message of mine up to the one the other participant read. */
function showSeenUpTo(messageId: string): void {
  const readAt = conversation?.sentAt.get(messageId);
  if (!conversation || !readAt) return;
  for (const [id, sentAt] of conversation.sentAt) {
    if (sentAt > readAt) continue;
    const receipt = document.querySelector(`#messages [data-id="${id}"] .receipt`);
    if (receipt) receipt.textContent = " seen";
  }
}

const compose = form("compose");
compose.addEventListener("input", () => {
  // Typing is a client broadcast, at most one a second.
  if (!conversation || Date.now() - conversation.lastTyping < 1000) return;
  conversation.lastTyping = Date.now();
  conversation.activity.send({
    type: "broadcast",
    event: "typing",
    payload: { user_id: current!.userId },
  });
});
compose.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = field(compose, "body");
  if (!conversation || body === "") return;
  // The id is chosen before the first attempt, so a retry never sends the message twice.
  const { data, error } = await supabase.rpc("send_message", {
    p_conversation_id: conversation.id,
    p_body: body,
    p_message_id: crypto.randomUUID(),
  });
  if (error) return showError(error);
  (compose.elements.namedItem("body") as HTMLInputElement).value = "";
  showMessage(data);
});

// Edge Functions from the browser too (their CORS allow-list; the local platform allows localhost).
supabase.functions.invoke<{ status: string }>("health", { method: "GET" }).then(({ data, error }) =>
  element("health").textContent = error ? `unreachable: ${error.message}` : data!.status
);

setStatus("Signed out");
