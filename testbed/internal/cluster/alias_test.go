package cluster

import (
	"testing"

	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/ports"
	"archipelago.dev/testbed/internal/state"
)

func TestMissingAliasesAreTheDeadOrAbsentUpToN(t *testing.T) {
	c := layout.Layout{Root: t.TempDir()}.Cluster("testbed-4")
	// Alias 2 is recorded with a pid that does not run: it is started again.
	st := state.Cluster{Name: c.Name, Index: 4, Aliases: []state.Alias{{Name: "testbed-4-a2", K: 2, PID: 0}}}
	got := MissingAliases(c, st, 20000, 4)
	if len(got) != 3 {
		t.Fatalf("got %+v", got)
	}
	for n, a := range got {
		k := n + 2
		if a.K != k || a.Name != layout.AliasName(4, k) || a.Ports != ports.ForAlias(20000, 4, k) {
			t.Errorf("alias %d: %+v", k, a)
		}
	}
	if got := MissingAliases(c, st, 20000, 1); len(got) != 0 {
		t.Errorf("--aliases 1 starts no alias, got %+v", got)
	}
}

func TestAliasProxyIsTheClusterProxyOnItsOwnPorts(t *testing.T) {
	c := layout.Layout{Root: t.TempDir()}.Cluster("testbed-2")
	a := state.Alias{Name: "testbed-2-a3", K: 3, Ports: ports.ForAlias(20000, 2, 3)}
	spec := aliasSpec(c, 20011, a, Binaries{CLI: "/bin/testbed"})
	want := []string{"_proxy", "--listen=127.0.0.1:20520", "--upstream=127.0.0.1:20011", "--control=127.0.0.1:20521", "--cluster-dir=" + c.Dir}
	if spec.Path != "/bin/testbed" || len(spec.Args) != len(want) {
		t.Fatalf("got %+v", spec)
	}
	for i := range want {
		if spec.Args[i] != want[i] {
			t.Errorf("arg %d: %s, want %s", i, spec.Args[i], want[i])
		}
	}
	if spec.LogFile != c.AliasLog(3) {
		t.Errorf("log %s", spec.LogFile)
	}
}
