package kubeconfig

import (
	"os"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"

	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/pki"
)

func TestAliasesGetTheirOwnClusterUserAndContext(t *testing.T) {
	root := layout.Layout{Root: t.TempDir()}
	var clusters []Cluster
	for _, name := range []string{"testbed-1", "testbed-2"} {
		dir := root.Cluster(name)
		if err := os.MkdirAll(dir.PKIDir(), 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := pki.Ensure(dir); err != nil {
			t.Fatal(err)
		}
		i, _ := layout.ClusterIndex(name)
		c := Cluster{Name: name, Server: "https://127.0.0.1:1" + name[len(name)-1:], Dir: dir}
		for k := 2; k <= 3; k++ {
			c.Aliases = append(c.Aliases, Alias{Name: layout.AliasName(i, k), K: k, Server: "https://127.0.0.1:2" + name[len(name)-1:] + string(rune('0'+k))})
		}
		clusters = append(clusters, c)
	}
	path := root.Kubeconfig()
	if err := WriteMerged(path, clusters); err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, c := range clusters {
		ca, _ := os.ReadFile(c.Dir.CACert())
		tokenFile, _ := os.ReadFile(c.Dir.TokenFile())
		for _, a := range c.Aliases {
			ctx := cfg.Contexts[a.Name]
			if ctx == nil {
				t.Fatalf("no context %s", a.Name)
			}
			user := pki.AliasUser(c.Name, a.K)
			if ctx.Cluster != a.Name || ctx.AuthInfo != user || user != a.Name+"-admin" {
				t.Errorf("%s: context %+v, user %s", a.Name, ctx, user)
			}
			if cl := cfg.Clusters[a.Name]; cl.Server != a.Server || string(cl.CertificateAuthorityData) != string(ca) {
				t.Errorf("%s: server %s, want %s; the cluster's own CA", a.Name, cl.Server, a.Server)
			}
			token := cfg.AuthInfos[user].Token
			if prev, ok := tokens[token]; ok || token == "" {
				t.Errorf("%s: token empty or shared with %s", a.Name, prev)
			}
			tokens[token] = a.Name
			// The API server knows the token as this alias's user, in system:masters.
			if !strings.Contains(string(tokenFile), token+","+user+","+user+","+pki.MastersGroup) {
				t.Errorf("%s: token file has no row for %s", a.Name, user)
			}
		}
		// The cluster's own contexts are unchanged.
		if cfg.Contexts[c.Name].AuthInfo != c.Name+"-admin" || cfg.Contexts[c.Name+"-scoped"].Namespace != ScopedNamespace {
			t.Errorf("%s: own contexts changed", c.Name)
		}
	}
	if len(cfg.Contexts) != 2*(3+2) {
		t.Errorf("%d contexts, want 10", len(cfg.Contexts))
	}
}
