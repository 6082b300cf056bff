export const NAV_ITEMS = [
  { href: "/overview", label: "Overview" },
  { href: "/clusters", label: "Clusters" },
  { href: "/inventory", label: "Inventory" },
  { href: "/changes", label: "Changes" },
  { href: "/templates", label: "Templates" },
  { href: "/rollouts", label: "Rollouts" },
  { href: "/notifications", label: "Notifications" },
  { href: "/teams", label: "Teams" },
  { href: "/change-control", label: "Change control" },
  { href: "/audit", label: "Audit" },
] as const;
