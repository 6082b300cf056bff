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
