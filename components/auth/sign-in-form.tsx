"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { ApiError, apiFetch } from "@/lib/api/client";

interface Props {
  returnTo: string;
  expired?: boolean;
}

export function SignInForm({ returnTo, expired = false }: Props) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useMutation({
    mutationFn: () => apiFetch("/api/v1/auth/sign-in", { method: "POST", body: { email, password } }),
    onSuccess: () => {
      router.replace(returnTo);
      router.refresh();
    },
  });
  const error = signIn.error instanceof ApiError ? signIn.error : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    signIn.mutate();
  }

  return (
    <form onSubmit={submit} className="mt-6 space-y-4" noValidate>
      {expired && !error ? <Alert tone="info">Your session ended. Sign in again to continue.</Alert> : null}
      {error ? <Alert>{describe(error)}</Alert> : null}
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        autoFocus
        required
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        errors={error?.fields.email}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        errors={error?.fields.password}
      />
      <Button type="submit" className="w-full" pending={signIn.isPending || signIn.isSuccess}>
        Sign in
      </Button>
    </form>
  );
}

function describe(error: ApiError): string {
  if (error.code === "rate_limited") {
    return `Too many attempts. Try again in ${error.retryAfterSeconds ?? "a few"} seconds.`;
  }
  if (error.code === "validation_failed") return "Check the highlighted fields.";
  return error.message;
}
