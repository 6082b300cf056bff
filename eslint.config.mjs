import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const serverImport = {
  group: ["@/lib/server/*", "@/lib/server/**", "@/lib/generated/*", "@/lib/generated/**"],
  message: "Browser-safe code must not import server modules (they hold credentials and the database).",
};

/** One rule per layer: files matching `files` may not import `@/lib/server/<above>/…` (tests excepted: they wire layers together). */
function layerRules(layers) {
  return layers.map(([files, above]) => ({
    files: [files],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: above.map((layer) => `@/lib/server/${layer}/*`),
              message: "A lower layer must not import a higher one (see README, Architecture).",
            },
            {
              group: ["@/components/*", "@/components/**", "@/app/**"],
              message: "lib/ must not depend on UI code or routes.",
            },
          ],
        },
      ],
    },
  }));
}

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    "node_modules/**",
    "lib/generated/**",
    ".data/**",
    ".testbed/**",
    ".e2e/**",
    "testbed/.cache/**",
    "playwright-report/**",
    "test-results/**",
    "next-env.d.ts",
  ]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    // Playwright fixtures receive a callback named `use`; it is not React's hook.
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // The architecture, enforced: UI never reaches into the server, lib never into UI.
    files: ["components/**", "lib/schemas/**", "lib/queries/**", "lib/api/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            serverImport,
            { group: ["@/components/*", "@/components/**", "@/app/**"], message: "lib/ must not depend on UI code." },
          ],
        },
      ],
    },
  },
  {
    files: ["components/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [serverImport] }] },
  },
  {
    files: ["lib/**"],
    ignores: ["lib/schemas/**", "lib/queries/**", "lib/api/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/components/*", "@/components/**", "@/app/**"],
              message: "lib/ must not depend on UI code or routes.",
            },
          ],
        },
      ],
    },
  },
  // Layers, lowest first: a module never imports a layer above its own (see README "Architecture").
  ...layerRules([
    [
      "lib/server/{config,errors,log,crypto,db,kube,jobs,events}/**",
      [
        "clusters",
        "access",
        "users",
        "teams",
        "audit",
        "auth",
        "sso",
        "secrets",
        "inventory",
        "templates",
        "releases",
        "rollouts",
        "notifications",
        "http",
        "runtime",
      ],
    ],
    [
      "lib/server/{clusters,access,users,teams,audit,auth,sso,secrets}/**",
      ["inventory", "templates", "releases", "rollouts", "notifications", "http", "runtime"],
    ],
    ["lib/server/{inventory,templates,releases}/**", ["rollouts", "notifications", "http", "runtime"]],
    ["lib/server/rollouts/**", ["notifications", "http", "runtime"]],
    // Notifications read every domain layer to decide and deliver; domains reach them only
    // through the outbox (lib/server/events/emit.ts, lowest layer).
    ["lib/server/notifications/**", ["http", "runtime"]],
    // What lower layers count into (sign-in counters, request metrics): beside config and log.
    // The fleet's collectors in lib/server/metrics/ read every layer and sit at the top.
    [
      "lib/server/metrics/{registry,counters,http-requests,route-pattern}.ts",
      [
        ...["crypto", "db", "kube", "jobs", "clusters", "access", "users", "teams", "audit", "auth", "sso"],
        ...["secrets", "inventory", "templates", "releases", "rollouts", "http", "runtime"],
      ],
    ],
  ]),
]);
