// Package seed fills testbed clusters with deterministic test data: the same
// seed, scale and cluster always give the same objects, and different
// clusters get overlapping but not identical sets, as a real fleet has.
package seed

// Counts is how many objects of each kind one cluster gets.
type Counts struct {
	AppNamespaces int // app-NN, in every cluster
	FeatureNS     int // feature-NN namespaces each cluster gets from a larger pool
	ConfigMaps    int
	Secrets       int
	Deployments   int
	StatefulSets  int
	DaemonSets    int
	Jobs          int
	CronJobs      int
}

// CountsFor defines --scale: scale S gives each cluster 20·S configmaps,
// 5·S deployments, 2·S secrets, S/4 statefulsets, S/20 daemonsets, S/5 jobs
// and S/10 cronjobs (each at least 1), in S/5 app namespaces (at least 2).
// Scale 1 is a small smoke set; scale 100 is 2,000 configmaps and 500
// deployments per cluster.
func CountsFor(scale int) Counts {
	atLeast := func(min, n int) int {
		if n < min {
			return min
		}
		return n
	}
	return Counts{
		AppNamespaces: atLeast(2, scale/5),
		FeatureNS:     atLeast(1, scale/20),
		ConfigMaps:    20 * scale,
		Secrets:       2 * scale,
		Deployments:   5 * scale,
		StatefulSets:  atLeast(1, scale/4),
		DaemonSets:    atLeast(1, scale/20),
		Jobs:          atLeast(1, scale/5),
		CronJobs:      atLeast(1, scale/10),
	}
}

// MaxScale bounds --scale; 500 is 10,000 configmaps per cluster.
const MaxScale = 500
