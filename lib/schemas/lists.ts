import { z } from "zod";
import { cursorSchema, cursorUuid, pageSizeSchema } from "./paging";

/** Rollouts, newest first: keyset (created_at, id) descending. */
export const listRolloutsQuerySchema = z.object({
  cursor: cursorSchema("rollouts", { createdAt: z.iso.datetime(), id: cursorUuid }).optional(),
  pageSize: pageSizeSchema(200, 50),
});
export type ListRolloutsQuery = z.infer<typeof listRolloutsQuerySchema>;
export type RolloutCursor = NonNullable<ListRolloutsQuery["cursor"]>;

/** Releases by name: keyset (name, id) ascending. */
export const listReleasesQuerySchema = z.object({
  cursor: cursorSchema("releases", { name: z.string().min(1).max(253), id: cursorUuid }).optional(),
  pageSize: pageSizeSchema(200, 100),
});
export type ListReleasesQuery = z.infer<typeof listReleasesQuerySchema>;
export type ReleaseCursor = NonNullable<ListReleasesQuery["cursor"]>;
