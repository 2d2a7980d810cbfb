const NEXT_ACTION = /(?:^|\n)\s*(?:next(?: step)?|then I(?:'ll| will))\s*[:,-]?\s*(.{3,200})/i;

/** The next expected action, when the agent stated one ("Next: …"), for the thread's checkpoint. */
export function nextAction(text: string): { nextAction?: string } {
  const match = NEXT_ACTION.exec(text);
  return match?.[1] ? { nextAction: match[1].trim() } : {};
}
