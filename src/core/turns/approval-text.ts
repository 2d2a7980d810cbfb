import { randomBytes } from "node:crypto";
import type { Approval, Thread } from "../model.ts";
import type { ApprovalDecision, Button, PendingApproval } from "../ports.ts";
import { truncate } from "../text/truncate.ts";
import { when } from "../threads/status.ts";

const COMMAND_UNITS = 600;
const CODE: Readonly<Record<ApprovalDecision, string>> = { "allow-once": "o", "allow-always": "a", deny: "d" };
const BY_CODE: Readonly<Record<string, ApprovalDecision>> = { o: "allow-once", a: "allow-always", d: "deny" };
const ACTION = /^tk:ap:([A-Za-z0-9_-]{1,24}):([oad])$/;
const LABEL: Readonly<Record<ApprovalDecision, string>> = {
  "allow-once": "Approve once",
  "allow-always": "Always",
  deny: "Deny",
};

/** A short random id for an approval's buttons (the gateway's UUID would crowd Telegram's 64 bytes). */
export function newApprovalButtonId(): string {
  return randomBytes(8).toString("base64url");
}

/** The buttons of a pending approval, in the order a person reads them; Always only where offered. */
export function approvalButtons(buttonId: string, allowed: readonly ApprovalDecision[]): Button[] {
  const order: ApprovalDecision[] = ["allow-once", "allow-always", "deny"];
  return order
    .filter((d) => allowed.includes(d))
    .map((d) => ({ label: LABEL[d], data: `tk:ap:${buttonId}:${CODE[d]}` }));
}

/** The approval button a press carries, if it is one. */
export function parseApprovalAction(data: string): { buttonId: string; decision: ApprovalDecision } | undefined {
  const match = ACTION.exec(data);
  const decision = match?.[2] ? BY_CODE[match[2]] : undefined;
  return match?.[1] && decision ? { buttonId: match[1], decision } : undefined;
}

/** The message that asks: the thread, the command as OpenClaw presents it, where, who, until when. */
export function approvalText(thread: Thread, approval: PendingApproval): string {
  const lines = [
    `🔐 The agent in "${thread.name}" asks to run a command:`,
    truncate(approval.command, COMMAND_UNITS, "…"),
  ];
  const where = [
    approval.cwd ? `in ${approval.cwd}` : undefined,
    approval.agentId ? `agent ${approval.agentId}` : undefined,
    approval.expiresAt ? `expires ${when(approval.expiresAt)}` : undefined,
  ].filter(Boolean);
  if (where.length > 0) lines.push(where.join(" · "));
  if (approval.warning) lines.push(`⚠️ ${truncate(approval.warning, 300, "…")}`);
  return lines.join("\n");
}

/** The line added under the request once it is decided. */
export function outcomeLine(record: Pick<Approval, "state" | "decidedBy">): string {
  const by = record.decidedBy ? ` by ${record.decidedBy}` : "";
  switch (record.state) {
    case "allow-once":
      return `✅ Approved once${by}.`;
    case "allow-always":
      return `✅ Approved always${by}.`;
    case "deny":
      return `⛔ Denied${by}.`;
    case "expired":
      return "⌛ Expired: nobody answered in time, so OpenClaw denied it.";
    case "cancelled":
      return "✖ Cancelled: the gateway restarted before anyone answered.";
    default:
      return "";
  }
}
