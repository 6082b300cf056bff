export const NAV_ITEMS = [
  { href: "/overview", label: "Overview" },
  { href: "/clusters", label: "Clusters" },
  { href: "/inventory", label: "Inventory" },
  { href: "/templates", label: "Templates" },
  { href: "/rollouts", label: "Rollouts" },
  { href: "/teams", label: "Teams" },
  { href: "/audit", label: "Audit" },
] as const;
