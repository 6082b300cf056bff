package pki

import (
	"crypto/tls"
	"crypto/x509"
	"os"
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
