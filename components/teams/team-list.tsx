"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { QueryState } from "@/components/ui/query-state";
import { Section } from "@/components/ui/section";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/api/client";
import { createTeam } from "@/lib/api/access";
import { accessKeys, teamsQuery } from "@/lib/queries/access";

export function TeamList({ isAdmin }: { isAdmin: boolean }) {
  const query = useQuery(teamsQuery());
  return (
    <div className="space-y-6">
      {isAdmin ? <CreateTeamForm /> : null}
      <QueryState isPending={query.isPending} error={query.error} label="Teams">
        {query.data?.length === 0 ? (
          <EmptyState
            title="No teams"
            description={
              isAdmin
                ? "Create a team, add members, then grant it clusters and namespaces."
                : "You are not a member of any team yet. Ask an admin."
            }
          />
        ) : (
          <ul className="divide-y divide-slate-100 rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
            {query.data?.map((team) => (
              <li
                key={team.id}
                data-testid={`team-${team.name}`}
                className="flex items-center justify-between px-4 py-3"
              >
                <div>
                  <Link href={`/teams/${team.id}`} className="font-medium text-indigo-700 hover:underline">
                    {team.name}
                  </Link>
                  {team.description ? <p className="text-sm text-slate-600">{team.description}</p> : null}
                </div>
                <p className="text-sm text-slate-500">
                  {team.memberCount} members · {team.grantCount} grants{team.myRole ? ` · you are ${team.myRole}` : ""}
                </p>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </div>
  );
}

function CreateTeamForm() {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const create = useMutation({
    mutationFn: () => createTeam({ name: name.trim(), description }),
    onSuccess: () => {
      setName("");
      setDescription("");
      void queryClient.invalidateQueries({ queryKey: accessKeys.teams });
    },
  });
  const error = create.error instanceof ApiError ? create.error : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Section title="New team">
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[1fr_2fr_auto] sm:items-end" noValidate>
        <TextField
          label="Team name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          errors={error?.fields.name}
          placeholder="payments"
        />
        <TextField
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          errors={error?.fields.description}
        />
        <Button type="submit" pending={create.isPending}>
          Create team
        </Button>
      </form>
      {error && !error.fields.name ? (
        <div className="mt-3">
          <Alert>{error.message}</Alert>
        </div>
      ) : null}
    </Section>
  );
}
