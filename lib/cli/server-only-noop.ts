// Stand-in for the `server-only` package in Node processes; see tsconfig.scripts.json.
export {};
