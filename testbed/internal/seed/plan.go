package seed

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// item is one object of the fleet-wide catalogue: its name, namespace and
// labels are the same in every cluster that has it.
type item struct {
	index     int
	name      string
	namespace string
	team      string
	tier      string
	env       string
	app       string
}

// catalogue draws the items of one kind. It uses only the seed (never the
// cluster), so item j is the same object wherever it appears.
type catalogue struct {
	rng        *rand.Rand
	namespaces []string
}

func (c *catalogue) items(kind string, n int) []item {
	out := make([]item, n)
	for i := range out {
		word := words[c.rng.IntN(len(words))]
		tier := tiers[c.rng.IntN(len(tiers))]
		out[i] = item{
			index:     i,
			name:      fmt.Sprintf("%s-%s-%04d", word, kind, i),
			namespace: c.namespaces[c.rng.IntN(len(c.namespaces))],
			team:      teams[c.rng.IntN(len(teams))],
			tier:      tier,
			env:       envs[c.rng.IntN(len(envs))],
			app:       word,
		}
	}
	return out
}

// split returns the items of a kind that one cluster has: count-count/5
// "common" items present in every cluster, plus count/5 drawn by the cluster
// from a pool twice that size, so each pooled item exists in only some
// clusters.
func split(cat *catalogue, local *rand.Rand, kind string, count int) []item {
	partial := count / 5
	common := cat.items(kind, count-partial)
	pool := cat.items(kind+"-x", 2*partial)
	for _, j := range local.Perm(len(pool))[:partial] {
		common = append(common, pool[j])
	}
	return common
}

// Plan returns every object one cluster gets for a seed and scale, in apply
// order (namespaces first). It is a pure function of its arguments.
func Plan(seed uint64, scale, cluster int) []Object {
	counts := CountsFor(scale)
	// Stream 0 is the fleet-wide catalogue; stream N is cluster N's choices.
	cat := &catalogue{rng: rand.New(rand.NewPCG(seed, 0))}
	local := rand.New(rand.NewPCG(seed, uint64(cluster)))
	b := builder{cluster: cluster}

	appNS := make([]string, counts.AppNamespaces)
	for i := range appNS {
		appNS[i] = fmt.Sprintf("app-%02d", i)
	}
	featurePool := make([]string, 2*counts.FeatureNS)
	for i := range featurePool {
		featurePool[i] = fmt.Sprintf("feature-%02d", i)
	}
	var featureNS []string
	for _, j := range local.Perm(len(featurePool))[:counts.FeatureNS] {
		featureNS = append(featureNS, featurePool[j])
	}
	cat.namespaces = append(append([]string{}, commonNamespaces...), appNS...)

	var objs []Object
	for _, ns := range append(append(append([]string{}, commonNamespaces...), appNS...), featureNS...) {
		objs = append(objs, b.namespace(ns, strings.HasPrefix(ns, "feature-")))
	}

	for _, it := range split(cat, local, "cm", counts.ConfigMaps) {
		objs = append(objs, b.configMap(it))
	}
	for _, it := range split(cat, local, "secret", counts.Secrets) {
		objs = append(objs, b.secret(it))
	}
	for _, it := range split(cat, local, "deploy", counts.Deployments) {
		objs = append(objs, b.deployment(it, local))
	}
	for _, it := range split(cat, local, "sts", counts.StatefulSets) {
		objs = append(objs, b.headlessService(it), b.statefulSet(it))
	}
	for _, it := range split(cat, local, "ds", counts.DaemonSets) {
		it.namespace = "platform"
		objs = append(objs, b.daemonSet(it))
	}
	for _, it := range split(cat, local, "job", counts.Jobs) {
		objs = append(objs, b.job(it, false))
	}
	for _, it := range split(cat, local, "cron", counts.CronJobs) {
		objs = append(objs, b.cronJob(it))
	}
	for _, ns := range featureNS {
		objs = append(objs, b.featureObjects(ns)...)
	}
	return append(objs, b.landmarks()...)
}
