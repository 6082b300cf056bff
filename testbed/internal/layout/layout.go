// Package layout names every file and folder the testbed keeps on disk, so the
// orchestrator, the harness and the docs agree on one place for each.
package layout

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"archipelago.dev/testbed/internal/ports"
)

// ClusterPrefix is the name of cluster i without its number: testbed-1, testbed-2...
const ClusterPrefix = "testbed-"

// MaxClusters bounds --clusters: port blocks and memory are sized for it.
const MaxClusters = ports.MaxClusters

// AliasInfix separates a cluster's name from an alias number: testbed-3-a7 is
// the seventh name of testbed-3 (its first name is testbed-3 itself).
const AliasInfix = "-a"

// Layout is rooted at the state folder (<repo>/.testbed by default).
type Layout struct {
	Root string
}

// Kubeconfig is the merged kubeconfig with one context per cluster.
func (l Layout) Kubeconfig() string { return filepath.Join(l.Root, "kubeconfig") }

// LockFile serializes up/down so parallel test workers cannot race.
func (l Layout) LockFile() string { return filepath.Join(l.Root, "lock") }

// Settings records testbed-wide choices (the base port) that later runs must reuse.
func (l Layout) Settings() string { return filepath.Join(l.Root, "settings.json") }

// Cluster returns the folder layout of one cluster.
func (l Layout) Cluster(name string) ClusterDir {
	return ClusterDir{Name: name, Dir: filepath.Join(l.Root, name)}
}

// ClusterDir holds one cluster's credentials, data, logs and state.
type ClusterDir struct {
	Name string
	Dir  string
}

func (c ClusterDir) path(parts ...string) string {
	return filepath.Join(append([]string{c.Dir}, parts...)...)
}

func (c ClusterDir) State() string       { return c.path("state.json") }
func (c ClusterDir) EtcdData() string    { return c.path("etcd") }
func (c ClusterDir) LogDir() string      { return c.path("logs") }
func (c ClusterDir) PKIDir() string      { return c.path("pki") }
func (c ClusterDir) KwokConfig() string  { return c.path("kwok.yaml") }
func (c ClusterDir) AuditPolicy() string { return c.path("audit-policy.yaml") }

func (c ClusterDir) TokenFile() string    { return c.path("pki", "tokens.csv") }
func (c ClusterDir) CACert() string       { return c.path("ca.crt") }
func (c ClusterDir) AdminToken() string   { return c.path("admin.token") }
func (c ClusterDir) ScopedToken() string  { return c.path("scoped.token") }
func (c ClusterDir) CertUserCert() string { return c.path("cert-user.crt") }
func (c ClusterDir) CertUserKey() string  { return c.path("cert-user.key") }

// Server-side key material, kept apart in pki/.
func (c ClusterDir) CAKey() string         { return c.path("pki", "ca.key") }
func (c ClusterDir) APIServerCert() string { return c.path("pki", "apiserver.crt") }
func (c ClusterDir) APIServerKey() string  { return c.path("pki", "apiserver.key") }
func (c ClusterDir) SAKey() string         { return c.path("pki", "sa.key") }
func (c ClusterDir) SAPub() string         { return c.path("pki", "sa.pub") }

// ComponentKubeconfig is the kubeconfig a control-plane component uses to reach
// the API server directly, bypassing the fault proxy: faults are for clients,
// the cluster itself keeps working behind them.
func (c ClusterDir) ComponentKubeconfig(component string) string {
	return c.path("pki", component+".kubeconfig")
}

// AuditLog is the API server's audit log: one JSON line per client write,
// so tests can count what reached the cluster (see testbed/README.md).
func (c ClusterDir) AuditLog() string { return c.path("logs", "audit.log") }

// AliasLog is the log of the fault proxy of alias k of the cluster.
func (c ClusterDir) AliasLog(k int) string {
	return c.path("logs", "proxy"+AliasInfix+strconv.Itoa(k)+".log")
}

// Log is the log file of one component.
func (c ClusterDir) Log(component string) string {
	return c.path("logs", component+".log")
}

// ClusterName is the name of the i-th cluster (1-based).
func ClusterName(i int) string { return ClusterPrefix + strconv.Itoa(i) }

// ClusterIndex parses testbed-N back to N, rejecting anything else.
func ClusterIndex(name string) (int, error) {
	rest, ok := strings.CutPrefix(name, ClusterPrefix)
	if !ok {
		return 0, fmt.Errorf("%q is not a testbed cluster name (expected %s1..%s%d)", name, ClusterPrefix, ClusterPrefix, MaxClusters)
	}
	i, err := strconv.Atoi(rest)
	if err != nil || i < 1 || i > MaxClusters || strconv.Itoa(i) != rest {
		return 0, fmt.Errorf("%q is not a testbed cluster name (expected %s1..%s%d)", name, ClusterPrefix, ClusterPrefix, MaxClusters)
	}
	return i, nil
}

// AliasName is the name of alias k of cluster i: alias 1 is the cluster's own
// name, aliases 2..ports.MaxAliases are testbed-i-a2, testbed-i-a3...
func AliasName(i, k int) string {
	if k == 1 {
		return ClusterName(i)
	}
	return ClusterName(i) + AliasInfix + strconv.Itoa(k)
}

// ParseAlias parses a cluster name (alias 1) or an alias name back to the
// cluster index and the alias number, rejecting anything else.
func ParseAlias(name string) (index, k int, err error) {
	clusterPart, aliasPart, found := strings.Cut(strings.TrimPrefix(name, ClusterPrefix), AliasInfix)
	if !found {
		i, err := ClusterIndex(name)
		return i, 1, err
	}
	i, err := ClusterIndex(ClusterPrefix + clusterPart)
	k, convErr := strconv.Atoi(aliasPart)
	if err != nil || convErr != nil || k < 2 || k > ports.MaxAliases || strconv.Itoa(k) != aliasPart {
		return 0, 0, fmt.Errorf("%q is not a testbed cluster or alias name (expected %s1..%s%d, or an alias such as %s)",
			name, ClusterPrefix, ClusterPrefix, MaxClusters, AliasName(1, 2))
	}
	return i, k, nil
}
