import { Shell } from "./pages/shell";
import { ageSession, sql } from "./support/database";
import { expect, test } from "./support/fixtures";
import { ADMIN } from "./support/paths";
import type { Page } from "@playwright/test";

async function sessionToken(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find((c) => c.name === "archipelago_session");
  if (!cookie) throw new Error("not signed in");
  return cookie.value;
}

test.describe("sign-in", () => {
  test("signs in, lands where it was going, and signs out server-side", async ({ anonymousPage: page, signInPage }) => {
    await page.goto("/inventory");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Finventory$/);

    await signInPage.signIn(ADMIN.email.toUpperCase(), ADMIN.password);
    await expect(page).toHaveURL(/\/inventory$/);
    const shell = new Shell(page);
    await shell.expectSignedInAs(ADMIN.name);

    const cookie = (await page.context().cookies()).find((c) => c.name === "archipelago_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });

    await shell.signOut(ADMIN.name);
    await signInPage.expectVisible();
    // The old cookie value is dead on the server, not just removed from the browser.
    const replay = await page.request.get("/api/v1/me", {
      headers: { cookie: `archipelago_session=${cookie!.value}` },
    });
    expect(replay.status()).toBe(401);
    await page.goto("/clusters");
    await signInPage.expectVisible();
  });

  test("a wrong password shows the same message as an unknown email and signs nobody in", async ({
    anonymousPage: page,
    signInPage,
  }) => {
    await signInPage.goto();
    await signInPage.signIn(ADMIN.email, "not the password");
    await expect(signInPage.alert()).toHaveText("Email or password is incorrect");
    await expect(page).toHaveURL(/\/sign-in/);

    await signInPage.signIn("nobody@example.com", "not the password");
    await expect(signInPage.alert()).toHaveText("Email or password is incorrect");
    expect((await page.context().cookies()).some((c) => c.name === "archipelago_session")).toBe(false);
  });

  test("empty fields are named inline", async ({ signInPage, anonymousPage: page }) => {
    await signInPage.goto();
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText("Email is required")).toBeVisible();
    await expect(page.getByText("Password is required")).toBeVisible();
    await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  });

  test("an expired session sends the user back to sign-in with a notice", async ({
    anonymousPage: page,
    signInPage,
  }) => {
    await signInPage.goto();
    await signInPage.signIn(ADMIN.email, ADMIN.password);
    await expect(page).toHaveURL(/\/overview$/);

    await ageSession(await sessionToken(page), "expired");
    await page.goto("/teams");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fteams&reason=expired$/);
    await expect(page.getByText("Your session ended. Sign in again to continue.")).toBeVisible();
    // The expired row was deleted, not just ignored.
    expect(await sql("SELECT 1 FROM sessions WHERE expires_at < now()")).toHaveLength(0);
  });

  test("an idle session expires too", async ({ anonymousPage: page, signInPage }) => {
    await signInPage.goto();
    await signInPage.signIn(ADMIN.email, ADMIN.password);
    await expect(page).toHaveURL(/\/overview$/);
    await ageSession(await sessionToken(page), "idle");
    await page.goto("/audit");
    await signInPage.expectVisible();
  });

  test("a tampered session cookie is treated as signed out", async ({ anonymousPage: page, signInPage }) => {
    await signInPage.goto();
    await signInPage.signIn(ADMIN.email, ADMIN.password);
    await expect(page).toHaveURL(/\/overview$/);
    const cookie = (await page.context().cookies()).find((c) => c.name === "archipelago_session")!;
    const flipped = cookie.value.slice(0, -1) + (cookie.value.endsWith("A") ? "B" : "A");
    await page.context().addCookies([{ ...cookie, value: flipped }]);
    await page.goto("/clusters");
    await signInPage.expectVisible();
  });
});

test.describe("setup page", () => {
  test("refuses to create another admin once a user exists", async ({ anonymousPage: page }) => {
    await page.goto("/setup");
    await expect(page.getByRole("heading", { name: "Setup is complete" })).toBeVisible();
    await expect(page.getByRole("button", { name: /Create admin/ })).toHaveCount(0);

    const [before] = await sql<{ n: string }>("SELECT count(*) AS n FROM users");
    const response = await page.request.post("/api/v1/setup", {
      headers: { origin: new URL(page.url()).origin },
      data: { email: "intruder@example.com", name: "Intruder", password: "long enough password" },
    });
    expect(response.status()).toBe(409);
    expect((await response.json()).error.code).toBe("setup_complete");
    const [after] = await sql<{ n: string }>("SELECT count(*) AS n FROM users");
    expect(after?.n).toBe(before?.n);
  });
});
