package ports

import (
	"errors"
	"net"
	"strings"
	"testing"
)

func TestBlocksDoNotOverlap(t *testing.T) {
	seen := map[int]string{}
	for i := 1; i <= 99; i++ {
		for _, p := range ForCluster(DefaultBase, i).All() {
			if prev, ok := seen[p.Port]; ok {
				t.Fatalf("port %d used twice (%s and cluster %d %s)", p.Port, prev, i, p.Role)
			}
			seen[p.Port] = p.Role
		}
	}
}

func TestValidateBase(t *testing.T) {
	if err := ValidateBase(DefaultBase, 99, 1); err != nil {
		t.Fatalf("default base with 99 clusters: %v", err)
	}
	// Aliases are what pushes 32100 with 10 clusters over the edge.
	if err := ValidateBase(32100, 10, 1); err != nil {
		t.Fatalf("32100 with 10 clusters, no aliases: %v", err)
	}
	for _, c := range []struct{ base, n, aliases int }{{80, 1, 1}, {32000, 99, 1}, {65530, 1, 1}, {32100, 10, 10}} {
		if ValidateBase(c.base, c.n, c.aliases) == nil {
			t.Errorf("base %d with %d clusters and %d aliases: want an error", c.base, c.n, c.aliases)
		}
	}
}

func TestAliasesHaveTheirOwnRangeInTheWindow(t *testing.T) {
	seen := map[int]string{}
	// With aliases at most 27 clusters run, and their blocks stay below the alias range.
	for i := 1; i <= MaxAliasedClusters; i++ {
		for _, p := range ForCluster(DefaultBase, i).All() {
			seen[p.Port] = p.Role
		}
	}
	for i := 1; i <= MaxAliasedClusters; i++ {
		for k := 2; k <= MaxAliases; k++ {
			for _, p := range ForAlias(DefaultBase, i, k).All() {
				if prev, ok := seen[p.Port]; ok {
					t.Fatalf("port %d used twice (%s and cluster %d alias %d %s)", p.Port, prev, i, k, p.Role)
				}
				if p.Port < DefaultBase+AliasOffset || p.Port >= DefaultBase+Window {
					t.Fatalf("alias port %d outside base+%d..base+%d", p.Port, AliasOffset, Window-1)
				}
				seen[p.Port] = p.Role
			}
		}
	}
	if ForCluster(DefaultBase, MaxClusters).Control >= DefaultBase+Window {
		t.Error("99 clusters leave the window")
	}
	// The fleet: 10 x 10 ends at base+679, far below the ephemeral range.
	if last := ForAlias(DefaultBase, 10, 10).Control; last != DefaultBase+500+9*18+8*2+1 {
		t.Errorf("10 clusters x 10 aliases end at %d", last)
	}
	if err := ValidateBase(DefaultBase, MaxAliasedClusters, MaxAliases); err != nil {
		t.Errorf("default base with the largest aliased fleet: %v", err)
	}
	if err := ValidateBase(DefaultBase, MaxAliasedClusters+1, 2); err == nil {
		t.Error("28 clusters with aliases: want an error")
	}
	// Adding clusters later never moves an alias: alias ports depend on the cluster index only.
	if ForAlias(DefaultBase, 3, 2) != (AliasSet{Proxy: DefaultBase + 500 + 2*18, Control: DefaultBase + 500 + 2*18 + 1}) {
		t.Errorf("testbed-3-a2 at %+v", ForAlias(DefaultBase, 3, 2))
	}
}

func TestCheckNamedCoversAliasPorts(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := l.Addr().(*net.TCPAddr).Port
	err = CheckNamed("testbed-2-a3", AliasSet{Control: busy}.All())
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "testbed-2-a3: alias proxy control port") {
		t.Fatalf("got %v", err)
	}
}

func TestCheckFreeNamesTheBusyPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := l.Addr().(*net.TCPAddr).Port
	set := Set{Proxy: busy}
	// Port 0 always binds, so only the proxy port can fail.
	err = CheckFree("testbed-7", set)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("want ErrInUse, got %v", err)
	}
	for _, want := range []string{"testbed-7", "fault proxy", "in use"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
}
