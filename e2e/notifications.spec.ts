import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./support/fixtures";

/** A real webhook receiver on loopback, started by the test. */
async function receiver() {
  const received: Array<{ timestamp: string; signature: string; body: string }> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        timestamp: String(request.headers["x-archipelago-timestamp"]),
        signature: String(request.headers["x-archipelago-signature"]),
        body: Buffer.concat(chunks).toString("utf8"),
      });
      response.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((r) => server.close(r)) };
}

test("an admin subscribes a webhook, sends a signed test, and deletes it after confirming", async ({ page }) => {
  const hook = await receiver();
  const name = `ops-hook-${randomBytes(3).toString("hex")}`;
  try {
    await page.goto("/notifications");
    await expect(page.getByRole("heading", { level: 1, name: "Notifications" })).toBeVisible();
    const form = page.getByRole("region", { name: "New subscription" });

    // A link-local address is refused with the field named; nothing is listed.
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Webhook URL").fill("http://169.254.169.254/latest/meta-data");
    await form.getByLabel("Rollout started").check();
    await form.getByRole("button", { name: "Subscribe" }).click();
    await expect(form.getByText(/link-local and cloud metadata addresses are not allowed/)).toBeVisible();
    await expect(page.getByTestId(`subscription-${name}`)).toHaveCount(0);

    // From the keyboard: the URL field, then Enter submits.
    await form.getByLabel("Webhook URL").fill(hook.url);
    await form.getByLabel("Webhook URL").press("Enter");
    const secret = (await page.getByTestId("signing-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^whsec_/);
    const item = page.getByTestId(`subscription-${name}`);
    await expect(item).toContainText("Admins (whole fleet)");
    await expect(item).toContainText("Rollout started");
    // The URL's path is not shown again (it is often the credential); the secret is not listed.
    await expect(item).not.toContainText("/hook");
    await expect(page.getByText(secret)).toHaveCount(1);

    await item.getByRole("button", { name: "Send test" }).click();
    await expect(item.getByText(/Test delivered: 200/)).toBeVisible();
    expect(hook.received).toHaveLength(1);
    const got = hook.received[0]!;
    const expected = `v1=${createHmac("sha256", secret).update(`${got.timestamp}.${got.body}`).digest("hex")}`;
    expect(got.signature).toBe(expected);
    expect(JSON.parse(got.body)).toMatchObject({ type: "test" });

    await item.getByRole("button", { name: "Deliveries" }).click();
    await expect(item.getByText("Nothing delivered yet.")).toBeVisible();

    // Dismissing the confirmation keeps it; accepting deletes it.
    page.once("dialog", (dialog) => void dialog.dismiss());
    await item.getByRole("button", { name: "Delete" }).click();
    await expect(item).toBeVisible();
    page.once("dialog", (dialog) => void dialog.accept());
    await item.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByTestId(`subscription-${name}`)).toHaveCount(0);
  } finally {
    await hook.close();
  }
});
