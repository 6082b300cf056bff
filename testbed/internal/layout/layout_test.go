package layout

import "testing"

func TestClusterIndex(t *testing.T) {
	for name, want := range map[string]int{"testbed-1": 1, "testbed-42": 42, "testbed-99": 99} {
		if got, err := ClusterIndex(name); err != nil || got != want {
			t.Errorf("%s: got %d, %v", name, got, err)
		}
	}
	for _, bad := range []string{"", "testbed-", "testbed-0", "testbed-100", "testbed-01", "testbed-1a", "prod-1", "testbed--1"} {
		if _, err := ClusterIndex(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestClusterNameRoundTrip(t *testing.T) {
	for i := 1; i <= MaxClusters; i++ {
		if got, err := ClusterIndex(ClusterName(i)); err != nil || got != i {
			t.Fatalf("%d: got %d, %v", i, got, err)
		}
	}
}

func TestAliasNames(t *testing.T) {
	if AliasName(3, 1) != "testbed-3" || AliasName(3, 7) != "testbed-3-a7" {
		t.Fatalf("got %s %s", AliasName(3, 1), AliasName(3, 7))
	}
	for i := 1; i <= MaxClusters; i++ {
		for k := 1; k <= 10; k++ {
			gotI, gotK, err := ParseAlias(AliasName(i, k))
			if err != nil || gotI != i || gotK != k {
				t.Fatalf("%d/%d: got %d/%d, %v", i, k, gotI, gotK, err)
			}
		}
	}
	for _, bad := range []string{"testbed-3-a1", "testbed-3-a0", "testbed-3-a11", "testbed-3-a02", "testbed-3-a", "testbed-0-a2",
		"testbed-3-cert", "testbed-3-scoped", "testbed-3-a2-admin", "prod-3-a2", "testbed-3a2"} {
		if _, _, err := ParseAlias(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
