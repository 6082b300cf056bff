"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { createUser, resetPassword, updateUser } from "@/lib/api/access";
import type { UserAdminView } from "@/lib/api/team-types";
import { accessKeys, usersQuery } from "@/lib/queries/access";

export function UserAdmin({ currentUserId }: { currentUserId: string }) {
  const query = useQuery(usersQuery());
  return (
    <div className="space-y-6">
      <CreateUserForm />
      <Section title="All users">
        <QueryState isPending={query.isPending} error={query.error} label="Users">
          <ul className="divide-y divide-slate-100">
            {query.data?.map((user) => (
              <UserRow key={user.id} user={user} isSelf={user.id === currentUserId} />
            ))}
          </ul>
        </QueryState>
      </Section>
    </div>
  );
}

function UserRow({ user, isSelf }: { user: UserAdminView; isSelf: boolean }) {
  const queryClient = useQueryClient();
  const [password, setPassword] = useState("");
  const [resetting, setResetting] = useState(false);
  const update = useMutation({
    mutationFn: (changes: { isAdmin?: boolean; disabled?: boolean }) => updateUser(user.id, changes),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accessKeys.users }),
  });
  const reset = useMutation({
    mutationFn: () => resetPassword(user.id, password),
    onSuccess: () => {
      setPassword("");
      setResetting(false);
    },
  });
  const resetError = reset.error instanceof ApiError ? reset.error : null;
  const submitReset = (event: FormEvent) => {
    event.preventDefault();
    reset.mutate();
  };
  return (
    <li data-testid={`user-${user.email}`} className="py-3 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <span className="font-medium">{user.name}</span> <span className="text-slate-500">{user.email}</span>
          {user.isAdmin ? (
            <span className="ml-2 rounded bg-indigo-50 px-1.5 text-xs font-semibold text-indigo-700">admin</span>
          ) : null}
          {user.ssoProvider ? (
            <span className="ml-2 rounded bg-slate-100 px-1.5 text-xs text-slate-700">via {user.ssoProvider}</span>
          ) : null}
          {user.disabled ? (
            <span className="ml-2 rounded bg-red-50 px-1.5 text-xs font-semibold text-red-700">disabled</span>
          ) : null}
          {user.teams.length ? (
            <p className="text-xs text-slate-500">Teams: {user.teams.map((t) => `${t.name} (${t.role})`).join(", ")}</p>
          ) : null}
        </div>
        <div className="flex flex-wrap gap-2">
          <Button
            variant="secondary"
            pending={update.isPending}
            onClick={() => update.mutate({ isAdmin: !user.isAdmin })}
          >
            {user.isAdmin ? "Remove admin" : "Make admin"}
          </Button>
          {!isSelf ? (
            <Button
              variant={user.disabled ? "secondary" : "danger"}
              pending={update.isPending}
              onClick={() => update.mutate({ disabled: !user.disabled })}
            >
              {user.disabled ? "Enable" : "Disable"}
            </Button>
          ) : null}
          {!user.ssoProvider ? (
            <Button variant="ghost" onClick={() => setResetting((value) => !value)}>
              Reset password
            </Button>
          ) : null}
        </div>
      </div>
      {update.error ? (
        <div className="mt-2">
          <Alert>{update.error.message}</Alert>
        </div>
      ) : null}
      {reset.isSuccess ? (
        <div className="mt-2">
          <Alert tone="success">
            Password reset; {reset.data.endedSessions} session(s) ended, {reset.data.revokedTokens} API token(s)
            revoked.
          </Alert>
        </div>
      ) : null}
      {resetting ? (
        <form onSubmit={submitReset} className="mt-2 flex items-end gap-2" noValidate>
          <TextField
            label={`New password for ${user.email}`}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            errors={resetError?.fields.password}
          />
          <Button type="submit" pending={reset.isPending}>
            Set password
          </Button>
        </form>
      ) : null}
    </li>
  );
}

function CreateUserForm() {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ email: "", name: "", password: "", isAdmin: false });
  const create = useMutation({
    mutationFn: () => createUser(form),
    onSuccess: () => {
      setForm({ email: "", name: "", password: "", isAdmin: false });
      void queryClient.invalidateQueries({ queryKey: accessKeys.users });
    },
  });
  const error = create.error instanceof ApiError ? create.error : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Section title="New user">
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2" noValidate>
        <TextField
          label="Email"
          type="email"
          value={form.email}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
          errors={error?.fields.email}
        />
        <TextField
          label="Name"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          errors={error?.fields.name}
        />
        <TextField
          label="Initial password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
          errors={error?.fields.password}
          hint="At least 12 characters."
        />
        <label className="flex items-center gap-2 self-center text-sm">
          <input
            type="checkbox"
            checked={form.isAdmin}
            onChange={(e) => setForm({ ...form, isAdmin: e.target.checked })}
          />
          Administrator
        </label>
        <div className="sm:col-span-2">
          <Button type="submit" pending={create.isPending}>
            Create user
          </Button>
          {create.isSuccess ? <span className="ml-3 text-sm text-emerald-700">User created.</span> : null}
        </div>
      </form>
    </Section>
  );
}
