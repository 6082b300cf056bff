// Package kubeconfig writes the testbed's kubeconfig files: the merged one that
// clients use (through each fault proxy) and the per-component ones the
// control plane uses (straight to its API server).
package kubeconfig

import (
	"fmt"
	"os"
	"sort"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/pki"
)

// Cluster is what the merged kubeconfig needs of one cluster.
type Cluster struct {
	Name   string // testbed-N: cluster name and admin context name
	Server string // https://127.0.0.1:<proxy port>
	Dir    layout.ClusterDir
	// Aliases are the cluster's extra names (alias 2 onwards), each written
	// as a cluster, an admin user and a context of its own.
	Aliases []Alias
}

// Alias is one extra name of a cluster: its own server URL (an alias fault
// proxy) and its own admin token, for the same API server and CA.
type Alias struct {
	Name   string // testbed-N-aK: cluster and context name
	K      int
	Server string
}

// Context names for a cluster, besides the admin context named like the cluster.
func CertContext(cluster string) string   { return cluster + "-cert" }
func ScopedContext(cluster string) string { return cluster + "-scoped" }

// ScopedNamespace is the only namespace the scoped user may touch.
const ScopedNamespace = "team-a"

// WriteMerged writes one kubeconfig with three contexts per cluster:
// testbed-N (admin bearer token), testbed-N-cert (client certificate) and
// testbed-N-scoped (bearer token limited to team-a), plus one admin context
// per alias (testbed-N-aK, user testbed-N-aK-admin). Credentials are
// embedded, so the file works from any working directory.
func WriteMerged(path string, clusters []Cluster) error {
	sort.Slice(clusters, func(i, j int) bool {
		a, _ := layout.ClusterIndex(clusters[i].Name)
		b, _ := layout.ClusterIndex(clusters[j].Name)
		return a < b
	})
	cfg := clientcmdapi.NewConfig()
	for _, c := range clusters {
		ca, err := os.ReadFile(c.Dir.CACert())
		if err != nil {
			return err
		}
		admin, err := os.ReadFile(c.Dir.AdminToken())
		if err != nil {
			return err
		}
		scoped, err := os.ReadFile(c.Dir.ScopedToken())
		if err != nil {
			return err
		}
		cert, err := os.ReadFile(c.Dir.CertUserCert())
		if err != nil {
			return err
		}
		key, err := os.ReadFile(c.Dir.CertUserKey())
		if err != nil {
			return err
		}
		cfg.Clusters[c.Name] = &clientcmdapi.Cluster{Server: c.Server, CertificateAuthorityData: ca}
		users := map[string]*clientcmdapi.AuthInfo{
			c.Name + "-admin":  {Token: string(admin)},
			c.Name + "-cert":   {ClientCertificateData: cert, ClientKeyData: key},
			c.Name + "-scoped": {Token: string(scoped)},
		}
		for name, user := range users {
			cfg.AuthInfos[name] = user
		}
		cfg.Contexts[c.Name] = &clientcmdapi.Context{Cluster: c.Name, AuthInfo: c.Name + "-admin"}
		cfg.Contexts[CertContext(c.Name)] = &clientcmdapi.Context{Cluster: c.Name, AuthInfo: c.Name + "-cert"}
		cfg.Contexts[ScopedContext(c.Name)] = &clientcmdapi.Context{
			Cluster: c.Name, AuthInfo: c.Name + "-scoped", Namespace: ScopedNamespace,
		}
		for _, a := range c.Aliases {
			token, err := pki.AliasToken(c.Dir, a.K)
			if err != nil {
				return err
			}
			// The user entry is named like the user the token authenticates as.
			user := pki.AliasUser(c.Name, a.K)
			cfg.Clusters[a.Name] = &clientcmdapi.Cluster{Server: a.Server, CertificateAuthorityData: ca}
			cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: token}
			cfg.Contexts[a.Name] = &clientcmdapi.Context{Cluster: a.Name, AuthInfo: user}
		}
	}
	if len(clusters) > 0 {
		cfg.CurrentContext = clusters[0].Name
	}
	return write(path, cfg)
}

// WriteComponent writes a kubeconfig for a control-plane component that
// reaches its API server at server with a bearer token.
func WriteComponent(path, server, caFile, token string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["local"] = &clientcmdapi.Cluster{Server: server, CertificateAuthority: caFile}
	cfg.AuthInfos["component"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: "component"}
	cfg.CurrentContext = "local"
	return write(path, cfg)
}

func write(path string, cfg *clientcmdapi.Config) error {
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return err
	}
	// Write then rename: a test reading the file while `up` adds a cluster
	// sees the old or the new file, never half of one.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	return os.Rename(tmp, path)
}
