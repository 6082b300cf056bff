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
	if err := ValidateBase(DefaultBase, 99); err != nil {
		t.Fatalf("default base with 99 clusters: %v", err)
	}
	for _, c := range []struct{ base, n int }{{80, 1}, {32000, 99}, {65530, 1}} {
		if ValidateBase(c.base, c.n) == nil {
			t.Errorf("base %d with %d clusters: want an error", c.base, c.n)
		}
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
