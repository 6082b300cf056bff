package seed

// SeededLabel marks every seeded object, so tests can select or delete them.
const SeededLabel = "testbed.archipelago.dev/seeded"

// FailLabel makes kwok keep a pod from ever becoming Ready (see kwokstages).
const FailLabel = "testbed.archipelago.dev/fail"

// Fixed namespaces present in every cluster. team-a also exists before
// seeding: it is the scoped user's namespace.
var commonNamespaces = []string{"shared", "team-a", "team-b", "platform"}

var (
	teams = []string{"payments", "search", "platform", "data", "web", "identity"}
	tiers = []string{"frontend", "backend", "cache", "db", "batch"}
	words = []string{"api", "worker", "gateway", "cart", "billing", "ledger", "index", "crawler",
		"auth", "session", "report", "export", "notify", "mailer", "catalog", "pricing",
		"search", "profile", "audit", "sync"}
	envs      = []string{"prod", "staging", "dev"}
	schedules = []string{"0 3 * * *", "*/30 * * * *", "15 */6 * * *", "0 0 * * 0", "*/10 * * * *"}
)
