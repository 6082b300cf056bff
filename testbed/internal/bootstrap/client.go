// Package bootstrap prepares a freshly started cluster for tests (simulated
// nodes, the scoped user's namespace and binding) and waits until it works.
package bootstrap

import (
	"fmt"
	"os"
	"strings"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// AdminConfig returns a client config for the admin user at server, trusting
// the cluster CA in caFile.
func AdminConfig(server, caFile, tokenFile string) (*rest.Config, error) {
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return nil, err
	}
	return &rest.Config{
		Host:            server,
		BearerToken:     strings.TrimSpace(string(token)),
		TLSClientConfig: rest.TLSClientConfig{CAFile: caFile},
		// The defaults (5 QPS) would make seeding thousands of objects take
		// minutes; the API server's own flow control is the real limit.
		QPS:   500,
		Burst: 1000,
	}, nil
}

// Clientset is kubernetes.NewForConfig with the error naming the server.
func Clientset(cfg *rest.Config) (*kubernetes.Clientset, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", cfg.Host, err)
	}
	return cs, nil
}
