import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/server/db/client";
import { resetDatabase } from "@/lib/testing/reset-database";
import { createTestUser } from "@/lib/testing/users";
import { currentProfileOf } from "./stored-author";

describe("currentProfileOf", () => {
  beforeAll(async () => {
    await resetDatabase();
  });

  it("shares one load between calls made while it runs, and reads again once it settled (a disable is seen at once)", async () => {
    const user = await createTestUser({ email: "author@example.com" });
    // The targets of one rollout ask together: one load answers them all.
    const [first, second, third] = await Promise.all([
      currentProfileOf(user.id),
      currentProfileOf(user.id),
      currentProfileOf(user.id),
    ]);
    expect(first).not.toBeNull();
    expect(second).toBe(first);
    expect(third).toBe(first);
    // Not a cache: the next call reads again and sees the author disabled.
    await db().user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await currentProfileOf(user.id)).toBeNull();
    expect(await currentProfileOf(null)).toBeNull();
  });
});
