import { expect, test } from "./support/fixtures";
import { sql } from "./support/database";

/**
 * The rollout and release lists page with a cursor: the first page shows how many of the
 * total it holds, "Load more" appends the next page, and the button goes away at the end.
 * Rows are written straight into the database (60 finished rollouts of one release).
 */

test("the rollout list loads more with the cursor and shows the total", async ({ page }) => {
  const name = `e2e-lists-${Date.now()}`;
  await sql(
    `WITH t AS (INSERT INTO templates (id, name, updated_at) VALUES (gen_random_uuid(), $1, now()) RETURNING id),
     rv AS (INSERT INTO template_revisions (id, template_id, number, schema, body, author_email)
            SELECT gen_random_uuid(), id, 1, '{}', '', 'e2e@example.com' FROM t RETURNING id, template_id),
     rl AS (INSERT INTO releases (id, name, template_id, updated_at)
            SELECT gen_random_uuid(), $1, template_id, now() FROM rv RETURNING id)
     INSERT INTO rollouts (id, release_id, revision_id, params, strategy, health_gate, created_by_email,
                           created_by_teams, state, created_at, finished_at)
     SELECT gen_random_uuid(), rl.id, rv.id, '{}', '{}', '{}', 'e2e@example.com', '{}', 'succeeded',
            now() - make_interval(days => 400, mins => g), now()
     FROM rl, rv, generate_series(1, 60) AS g`,
    [name],
  );
  const first = await page.request.get("/api/v1/rollouts?pageSize=1");
  const total = ((await first.json()) as { total: number }).total;
  expect(total).toBeGreaterThanOrEqual(60);

  await page.goto("/rollouts");
  const count = page.getByTestId("rollouts-count");
  await expect(count).toHaveText(`Showing ${Math.min(50, total)} of ${total} rollouts`);
  await page.getByRole("button", { name: "Load more rollouts" }).click();
  await expect(count).toHaveText(`Showing ${Math.min(100, total)} of ${total} rollouts`);
  while (await page.getByRole("button", { name: "Load more rollouts" }).isVisible()) {
    const shown = Number((await count.textContent())!.split(" ")[1]);
    await page.getByRole("button", { name: "Load more rollouts" }).click();
    await expect(count).not.toHaveText(`Showing ${shown} of ${total} rollouts`);
  }
  await expect(count).toHaveText(`Showing ${total} of ${total} rollouts`);
  // The oldest rollouts are the seeded ones: every one of them is on the page once.
  await expect(page.locator('[data-testid^="rollout-"]').filter({ hasText: "e2e@example.com" })).toHaveCount(60);
  await expect(page.getByTestId("releases-count")).toContainText("Showing");
});
