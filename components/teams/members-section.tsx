"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Section } from "@/components/ui/section";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { addMember, removeMember, updateMember } from "@/lib/api/access";
import type { TeamDetailView } from "@/lib/api/team-types";
import { accessKeys } from "@/lib/queries/access";

const ROLES = [
  { value: "member", label: "Member" },
  { value: "maintainer", label: "Maintainer" },
] as const;

export function MembersSection({ team }: { team: TeamDetailView }) {
  const queryClient = useQueryClient();
  const refresh = (updated?: TeamDetailView) => {
    if (updated) queryClient.setQueryData(accessKeys.team(team.id), updated);
    void queryClient.invalidateQueries({ queryKey: accessKeys.teams });
    if (!updated) void queryClient.invalidateQueries({ queryKey: accessKeys.team(team.id) });
  };
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"member" | "maintainer">("member");
  const add = useMutation({
    mutationFn: () => addMember(team.id, { email, role }),
    onSuccess: (updated) => {
      setEmail("");
      refresh(updated);
    },
  });
  const change = useMutation({
    mutationFn: (input: { userId: string; role: "member" | "maintainer" }) =>
      updateMember(team.id, input.userId, input.role),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (userId: string) => removeMember(team.id, userId),
    onSuccess: () => refresh(),
  });
  const addError = add.error instanceof ApiError ? add.error : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };

  return (
    <Section title="Members">
      {team.members.length === 0 ? <p className="mb-4 text-sm text-slate-500">No members yet.</p> : null}
      {change.error || remove.error ? (
        <div className="mb-3">
          <Alert>{(change.error ?? remove.error)?.message}</Alert>
        </div>
      ) : null}
      <ul className="divide-y divide-slate-100">
        {team.members.map((member) => (
          <li
            key={member.userId}
            data-testid={`member-${member.email}`}
            className="flex flex-wrap items-center justify-between gap-3 py-2 text-sm"
          >
            <div>
              <span className="font-medium">{member.name}</span> <span className="text-slate-500">{member.email}</span>
              {member.disabled ? (
                <span className="ml-2 rounded bg-slate-100 px-1.5 text-xs text-slate-600">disabled</span>
              ) : null}
              {member.source === "sso" ? (
                <span
                  className="ml-2 rounded bg-indigo-50 px-1.5 text-xs text-indigo-700"
                  title="Set from the identity provider's groups at each sign-in; change it there"
                >
                  from identity provider
                </span>
              ) : null}
            </div>
            {team.canManageMembers && member.source !== "sso" ? (
              <div className="flex items-center gap-2">
                <select
                  aria-label={`Role of ${member.email}`}
                  value={member.role}
                  onChange={(event) =>
                    change.mutate({ userId: member.userId, role: event.target.value as "member" | "maintainer" })
                  }
                  className="rounded-md border-0 py-1 text-sm ring-1 ring-inset ring-slate-300"
                >
                  {ROLES.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
                <Button
                  variant="ghost"
                  aria-label={`Remove ${member.email}`}
                  onClick={() => remove.mutate(member.userId)}
                >
                  Remove
                </Button>
              </div>
            ) : (
              <span className="text-slate-500">{member.role}</span>
            )}
          </li>
        ))}
      </ul>
      {team.canManageMembers ? (
        <form
          onSubmit={submit}
          className="mt-4 grid gap-3 border-t border-slate-100 pt-4 sm:grid-cols-[2fr_1fr_auto] sm:items-end"
          noValidate
        >
          <TextField
            label="Add member by email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            errors={addError?.fields.email}
          />
          <SelectField
            label="Role"
            value={role}
            onChange={(e) => setRole(e.target.value as "member" | "maintainer")}
            options={ROLES}
          />
          <Button type="submit" pending={add.isPending}>
            Add member
          </Button>
        </form>
      ) : null}
    </Section>
  );
}
