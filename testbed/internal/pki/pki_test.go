package pki

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
	"testing"

	"archipelago.dev/testbed/internal/layout"
)

func TestEnsureCreatesAVerifiableSetAndKeepsIt(t *testing.T) {
	c := layout.Layout{Root: t.TempDir()}.Cluster("testbed-1")
	tokens, err := Ensure(c)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, _ := os.ReadFile(c.CACert())
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("ca.crt is not PEM")
	}

	serving, err := tls.LoadX509KeyPair(c.APIServerCert(), c.APIServerKey())
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(serving.Certificate[0])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"}); err != nil {
		t.Errorf("serving certificate for 127.0.0.1: %v", err)
	}

	client, err := tls.LoadX509KeyPair(c.CertUserCert(), c.CertUserKey())
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ = x509.ParseCertificate(client.Certificate[0])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client certificate: %v", err)
	}
	if leaf.Subject.CommonName != CertUserCN || leaf.Subject.Organization[0] != MastersGroup {
		t.Errorf("client subject %v", leaf.Subject)
	}

	admin, _ := os.ReadFile(c.AdminToken())
	if string(admin) != tokens.Admin || tokens.Admin == tokens.Scoped {
		t.Error("admin token file does not match or tokens repeat")
	}

	again, err := Ensure(c)
	if err != nil || again != tokens {
		t.Fatalf("second Ensure regenerated credentials: %v", err)
	}
}

func TestEachClusterHasItsOwnCA(t *testing.T) {
	root := layout.Layout{Root: t.TempDir()}
	a, b := root.Cluster("testbed-1"), root.Cluster("testbed-2")
	for _, c := range []layout.ClusterDir{a, b} {
		if _, err := Ensure(c); err != nil {
			t.Fatal(err)
		}
	}
	caA, _ := os.ReadFile(a.CACert())
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caA)
	certB, _ := tls.LoadX509KeyPair(b.CertUserCert(), b.CertUserKey())
	leaf, _ := x509.ParseCertificate(certB.Certificate[0])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Fatal("cluster 2's client certificate verifies against cluster 1's CA")
	}
}

func TestEveryAliasHasItsOwnToken(t *testing.T) {
	c := layout.Layout{Root: t.TempDir()}.Cluster("testbed-3")
	tokens, err := Ensure(c)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{tokens.Admin: 1}
	if first, err := AliasToken(c, 1); err != nil || first != tokens.Admin || AliasUser(c.Name, 1) != AdminUser {
		t.Fatalf("alias 1 is the admin: %v", err)
	}
	for k := 2; k <= len(tokens.Aliases)+1; k++ {
		tok, err := AliasToken(c, k)
		if err != nil || tok == "" {
			t.Fatalf("alias %d: %v", k, err)
		}
		if prev, ok := seen[tok]; ok {
			t.Fatalf("alias %d shares its token with alias %d", k, prev)
		}
		seen[tok] = k
	}
	if AliasUser(c.Name, 7) != "testbed-3-a7-admin" {
		t.Errorf("user of alias 7: %s", AliasUser(c.Name, 7))
	}
	if _, err := AliasToken(c, len(tokens.Aliases)+2); err == nil {
		t.Error("alias past the maximum: want an error")
	}
}

func TestAClusterFromBeforeAliasesSaysToRestart(t *testing.T) {
	c := layout.Layout{Root: t.TempDir()}.Cluster("testbed-1")
	tokens, err := Ensure(c)
	if err != nil {
		t.Fatal(err)
	}
	// The token file as an older testbed wrote it: the five users, no aliases.
	old := tokens
	old.Aliases = [len(tokens.Aliases)]string{}
	rows := strings.Split(string(tokenCSV(c.Name, old)), "\n")[:5]
	if err := os.WriteFile(c.TokenFile(), []byte(strings.Join(rows, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := AliasToken(c, 2); err == nil || !strings.Contains(err.Error(), "run `down` and `up` again") {
		t.Fatalf("got %v", err)
	}
}
