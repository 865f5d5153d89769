import { KeygateError } from "@keygate/core";
import { z } from "zod";
import { defineRoute } from "../route-kit.ts";
import { idOf } from "../schemas.ts";

export const getChangeRoute = defineRoute({
  method: "GET",
  url: "/v1/changes/:id",
  access: "viewer",
  operationId: "getChange",
  summary: "How many live nodes have applied a change (the changeId of a mutating answer)",
  tag: "changes",
  params: z.strictObject({ id: idOf("chg", "change") }),
  errors: ["NOT_FOUND"],
  responses: {
    200: {
      description: "The change's reach; complete once every live node acknowledged it",
      schema: z.strictObject({
        changeId: z.string(),
        nodes: z.int(),
        acknowledged: z.int(),
        complete: z.boolean(),
      }),
    },
  },
  async handler({ params, ctx }) {
    const status = await ctx.propagation.status(params.id);
    if (status === null)
      throw new KeygateError("NOT_FOUND", `change ${params.id} is unknown or no longer retained`);
    const { changeId, nodes, acknowledged } = status;
    return { status: 200, body: { changeId, nodes, acknowledged, complete: acknowledged >= nodes } };
  },
});
