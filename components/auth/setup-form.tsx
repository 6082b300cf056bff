"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { ApiError, apiFetch } from "@/lib/api/client";
import { PASSWORD_MIN_LENGTH } from "@/lib/schemas/auth";

export function SetupForm() {
  const router = useRouter();
  const [form, setForm] = useState({ name: "", email: "", password: "", confirm: "" });
  const [mismatch, setMismatch] = useState(false);
  const setup = useMutation({
    mutationFn: () =>
      apiFetch("/api/v1/setup", {
        method: "POST",
        body: { name: form.name, email: form.email, password: form.password },
      }),
    onSuccess: () => {
      router.replace("/overview");
      router.refresh();
    },
  });
  const error = setup.error instanceof ApiError ? setup.error : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    const passwordsDiffer = form.password !== form.confirm;
    setMismatch(passwordsDiffer);
    if (!passwordsDiffer) setup.mutate();
  }

  const update = (key: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [key]: event.target.value }));

  return (
    <form onSubmit={submit} className="mt-6 space-y-4" noValidate>
      {error && error.code !== "validation_failed" ? <Alert>{error.message}</Alert> : null}
      <TextField
        label="Name"
        name="name"
        autoComplete="name"
        autoFocus
        required
        value={form.name}
        onChange={update("name")}
        errors={error?.fields.name}
      />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        value={form.email}
        onChange={update("email")}
        errors={error?.fields.email}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
        value={form.password}
        onChange={update("password")}
        errors={error?.fields.password}
      />
      <TextField
        label="Confirm password"
        name="confirm"
        type="password"
        autoComplete="new-password"
        required
        value={form.confirm}
        onChange={update("confirm")}
        errors={mismatch ? ["Passwords do not match"] : undefined}
      />
      <Button type="submit" className="w-full" pending={setup.isPending || setup.isSuccess}>
        Create admin and sign in
      </Button>
    </form>
  );
}
