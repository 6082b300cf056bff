package cluster

import (
	"slices"
	"strings"
	"testing"

	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/ports"
	"archipelago.dev/testbed/internal/state"
)

// proc.Alive finds a cluster's processes by their folder on the command
// line, so every component must have it there.
func TestEveryComponentNamesItsClusterFolder(t *testing.T) {
	c := layout.Layout{Root: "/tmp/tb"}.Cluster("testbed-1")
	for _, comp := range components(c, ports.ForCluster(ports.DefaultBase, 1), Binaries{K8s: "k8s", CLI: "cli"}) {
		found := slices.ContainsFunc(comp.spec.Args, func(a string) bool {
			return strings.HasSuffix(a, c.Dir) || strings.Contains(a, c.Dir+"/")
		})
		if !found {
			t.Errorf("%s: no argument names %s: %v", comp.name, c.Dir, comp.spec.Args)
		}
	}
}

func TestComponentsMatchStateOrder(t *testing.T) {
	c := layout.Layout{Root: "/tmp/tb"}.Cluster("testbed-1")
	var names []string
	for _, comp := range components(c, ports.ForCluster(ports.DefaultBase, 1), Binaries{}) {
		names = append(names, comp.name)
	}
	if !slices.Equal(names, state.Components) {
		t.Fatalf("components %v, state order %v", names, state.Components)
	}
}

func TestClientsGoThroughTheProxyAndComponentsDoNot(t *testing.T) {
	p := ports.ForCluster(ports.DefaultBase, 2)
	if got := ServerURL(p.Proxy); got != "https://127.0.0.1:16453" {
		t.Errorf("client URL %s", got)
	}
	c := layout.Layout{Root: "/tmp/tb"}.Cluster("testbed-2")
	for _, comp := range components(c, p, Binaries{}) {
		if comp.name == "proxy" {
			if !slices.Contains(comp.spec.Args, "--upstream=127.0.0.1:16454") {
				t.Errorf("proxy does not forward to the apiserver: %v", comp.spec.Args)
			}
		}
	}
}
