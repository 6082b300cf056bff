import Link from "next/link";

/** Shown instead of a template the caller may not read (it belongs to another team). */
export function OtherTeamTemplate() {
  return <span className="text-slate-500">{"another team's template"}</span>;
}

/** A template's name, linked to it when the caller may read it. */
export function TemplateRef({ template }: { template: { id: string; name: string } | null }) {
  if (!template) return <OtherTeamTemplate />;
  return (
    <Link href={`/templates/${template.id}`} className="text-indigo-700 underline">
      {template.name}
    </Link>
  );
}
