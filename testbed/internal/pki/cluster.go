package pki

import (
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"os"

	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/ports"
)

// The identities of a testbed cluster. Control-plane components get their
// own user names (visible in audit and managedFields) but all sit in
// system:masters: RBAC for them is not what the testbed exists to test.
const (
	AdminUser      = "testbed-admin"
	ScopedUser     = "testbed-scoped"
	CertUserCN     = "testbed-cert-admin"
	MastersGroup   = "system:masters"
	ControllerUser = "system:kube-controller-manager"
	SchedulerUser  = "system:kube-scheduler"
	KwokUser       = "testbed-kwok"
)

// ServiceIP is the first address of the service range, which the apiserver
// gives to the default/kubernetes Service; in-cluster clients dial it.
var ServiceIP = net.IPv4(10, 96, 0, 1)

// Tokens are the static bearer tokens of one cluster, by user. Aliases[i] is
// the admin token of alias i+2 (alias 1 uses Admin).
type Tokens struct {
	Admin, Scoped, Controller, Scheduler, Kwok string
	Aliases                                    [ports.MaxAliases - 1]string
}

// Ensure creates the credentials of one cluster unless a complete set already
// exists in its folder, which it then returns unchanged.
func Ensure(c layout.ClusterDir) (Tokens, error) {
	if tokens, err := readTokens(c.TokenFile(), c.Name); err == nil && filesExist(c) {
		return tokens, nil
	}
	return create(c)
}

func filesExist(c layout.ClusterDir) bool {
	for _, p := range []string{c.CACert(), c.CertUserCert(), c.CertUserKey(), c.AdminToken(), c.ScopedToken(),
		c.APIServerCert(), c.APIServerKey(), c.SAKey(), c.SAPub()} {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}

func create(c layout.ClusterDir) (Tokens, error) {
	ca, err := newCA(c.Name + "-ca")
	if err != nil {
		return Tokens{}, fmt.Errorf("%s: create CA: %w", c.Name, err)
	}
	serving, err := ca.issue(leaf{
		subject: pkix.Name{CommonName: "kube-apiserver"},
		dnsNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
			"kubernetes.default.svc.cluster.local"},
		ips:   []net.IP{net.IPv4(127, 0, 0, 1), ServiceIP},
		usage: x509.ExtKeyUsageServerAuth,
	})
	if err != nil {
		return Tokens{}, fmt.Errorf("%s: issue serving certificate: %w", c.Name, err)
	}
	certUser, err := ca.issue(leaf{
		subject: pkix.Name{CommonName: CertUserCN, Organization: []string{MastersGroup}},
		usage:   x509.ExtKeyUsageClientAuth,
	})
	if err != nil {
		return Tokens{}, fmt.Errorf("%s: issue client certificate: %w", c.Name, err)
	}
	saKey, err := newKey()
	if err != nil {
		return Tokens{}, err
	}
	tokens, err := newTokens()
	if err != nil {
		return Tokens{}, err
	}

	files := map[string][]byte{
		c.CACert():        certPEM(ca.der),
		c.APIServerCert(): certPEM(serving.der),
		c.CertUserCert():  certPEM(certUser.der),
		c.AdminToken():    []byte(tokens.Admin),
		c.ScopedToken():   []byte(tokens.Scoped),
		c.TokenFile():     tokenCSV(c.Name, tokens),
	}
	for path, key := range map[string]*ecdsa.PrivateKey{
		c.CAKey():        ca.key,
		c.APIServerKey(): serving.key,
		c.CertUserKey():  certUser.key,
		c.SAKey():        saKey,
	} {
		data, err := keyPEM(key)
		if err != nil {
			return Tokens{}, err
		}
		files[path] = data
	}
	if files[c.SAPub()], err = publicKeyPEM(saKey); err != nil {
		return Tokens{}, err
	}
	// The token file is written last so that a crash part-way leaves Ensure
	// regenerating everything instead of trusting a half-written set.
	tokenFile := files[c.TokenFile()]
	delete(files, c.TokenFile())
	if err := writeFiles(files); err != nil {
		return Tokens{}, err
	}
	return tokens, writeFiles(map[string][]byte{c.TokenFile(): tokenFile})
}
