import type { Method, Params } from "./methods-messages.ts";
import { badRequest, type ChatState, type FakeTopic, type FakeWorld } from "./state.ts";

const COMMAND_NAME = /^[a-z0-9_]{1,32}$/;

const getMe: Method = (world) => ({
  ...world.bot,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
});

const setMyCommands: Method = (world, params) => {
  const commands = params.commands as { command?: string; description?: string }[] | undefined;
  if (!Array.isArray(commands) || commands.length > 100) throw badRequest("BOT_COMMANDS_TOO_MUCH");
  for (const c of commands) {
    if (!COMMAND_NAME.test(c.command ?? "")) throw badRequest("BOT_COMMAND_INVALID");
    const length = c.description?.length ?? 0;
    if (length < 1 || length > 256) throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
  }
  world.myCommands = commands.map((c) => ({ command: c.command ?? "", description: c.description ?? "" }));
  return true;
};

const getChatMember: Method = (world, params) => {
  const chat = world.chat(params.chat_id);
  const userId = Number(params.user_id);
  const member = chat.members.get(userId);
  if (member) return { status: member.status, user: member.user };
  return { status: "left", user: { id: userId, is_bot: false, first_name: `user${userId}` } };
};

const getChatAdministrators: Method = (world, params) => {
  const chat = world.chat(params.chat_id);
  if (chat.chat.type === "private") throw badRequest("there are no administrators in the private chat");
  return [...chat.members.values()]
    .filter((m) => m.status === "creator" || m.status === "administrator")
    .map((m) => ({ status: m.status, user: m.user }));
};

function forum(world: FakeWorld, params: Params): ChatState {
  const chat = world.chat(params.chat_id);
  if (!chat.chat.is_forum) throw badRequest("the chat is not a forum");
  return chat;
}

function existingTopic(world: FakeWorld, params: Params): FakeTopic {
  const chat = forum(world, params);
  if (!chat.botCanManageTopics) throw badRequest("not enough rights to manage topics");
  const topic = chat.topics.get(Number(params.message_thread_id));
  if (!topic || topic.deleted) throw badRequest("TOPIC_ID_INVALID");
  return topic;
}

const createForumTopic: Method = (world, params) => {
  const chat = forum(world, params);
  if (!chat.botCanManageTopics) throw badRequest("not enough rights to create a topic");
  const name = typeof params.name === "string" ? params.name : "";
  if (name.length < 1 || name.length > 128) throw badRequest("TOPIC_NAME_INVALID");
  const topic = world.createTopic(chat, name, world.bot);
  return { message_thread_id: topic.id, name: topic.name, icon_color: 7322096 };
};

const reopenForumTopic: Method = (world, params) => {
  const topic = existingTopic(world, params);
  if (!topic.closed) throw badRequest("TOPIC_NOT_MODIFIED");
  topic.closed = false;
  return true;
};

/** editForumTopic: a new name (1–128 characters); the same name again is TOPIC_NOT_MODIFIED, as Telegram says. */
const editForumTopic: Method = (world, params) => {
  const topic = existingTopic(world, params);
  if (params.name === undefined) return true;
  const name = typeof params.name === "string" ? params.name : "";
  if (name.length < 1 || name.length > 128) throw badRequest("TOPIC_NAME_INVALID");
  if (name === topic.name) throw badRequest("TOPIC_NOT_MODIFIED");
  topic.name = name;
  return true;
};

const closeForumTopic: Method = (world, params) => {
  const topic = existingTopic(world, params);
  if (topic.closed) throw badRequest("TOPIC_NOT_MODIFIED");
  topic.closed = true;
  return true;
};

const deleteForumTopic: Method = (world, params) => {
  existingTopic(world, params).deleted = true;
  return true;
};

/** Bot, chat, member and forum-topic methods. */
export const chatMethods: Record<string, Method> = {
  getMe,
  setMyCommands,
  getMyCommands: (world) => world.myCommands,
  deleteMyCommands: (world) => {
    world.myCommands = [];
    return true;
  },
  getChat: (world, params) => world.chat(params.chat_id).chat,
  getChatMember,
  getChatAdministrators,
  createForumTopic,
  reopenForumTopic,
  editForumTopic,
  closeForumTopic,
  deleteForumTopic,
};
