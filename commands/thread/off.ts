import { z } from "zod";
import { defineCommand } from "../../src/core/commands/command.ts";
import type { Services } from "../../src/core/commands/services.ts";

const OffArgs = z.object({});

/** /thread off: unbind the thread bound here; the thread and its session stay. */
export const off = defineCommand<z.infer<typeof OffArgs>, Services>({
  name: "off",
  description: "Unbind the thread bound here; the thread and its session stay",
  access: "allowed",
  args: OffArgs,
  async run({ place, services }) {
    const unbound = await services.threads.unbind(place.conversation);
    return {
      text: unbound
        ? `Unbound "${unbound.name}" from this conversation. The thread and its session stay.`
        : "No thread is bound here.",
    };
  },
});
