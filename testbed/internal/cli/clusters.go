package cli

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"archipelago.dev/testbed/internal/cluster"
	"archipelago.dev/testbed/internal/kubeconfig"
	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/state"
)

// known returns the indexes of the cluster folders under the state folder,
// sorted, whether or not their processes run.
func known(e env) ([]int, error) {
	entries, err := os.ReadDir(e.layout.Root)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var idx []int
	for _, entry := range entries {
		if i, err := layout.ClusterIndex(entry.Name()); err == nil && entry.IsDir() {
			idx = append(idx, i)
		}
	}
	sort.Ints(idx)
	return idx, nil
}

// states returns the state of every cluster that has a state file.
func states(e env) ([]state.Cluster, error) {
	idx, err := known(e)
	if err != nil {
		return nil, err
	}
	var out []state.Cluster
	for _, i := range idx {
		st, err := state.Read(e.layout.Cluster(layout.ClusterName(i)).State())
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// inspectAll returns the status of every cluster that has a state file.
func inspectAll(ctx context.Context, e env) ([]cluster.Status, error) {
	idx, err := known(e)
	if err != nil {
		return nil, err
	}
	var out []cluster.Status
	for _, i := range idx {
		s, ok, err := cluster.Inspect(ctx, e.layout.Cluster(layout.ClusterName(i)))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// resolve checks that name is a running cluster, with a message listing the
// running ones if not.
func resolve(ctx context.Context, e env, name string) (cluster.Status, error) {
	if _, err := layout.ClusterIndex(name); err != nil {
		return cluster.Status{}, err
	}
	s, ok, err := cluster.Inspect(ctx, e.layout.Cluster(name))
	if err != nil {
		return s, err
	}
	if !ok {
		all, _ := states(e)
		var names []string
		for _, a := range all {
			names = append(names, a.Name)
		}
		running := "none; run: npm run testbed -- up"
		if len(names) > 0 {
			running = strings.Join(names, ", ")
		}
		return s, fmt.Errorf("no cluster named %q is running (running: %s)", name, running)
	}
	return s, nil
}

// resolveAlias checks that name is a running cluster (its first alias) or a
// running alias of one, with a message listing the running names if not.
func resolveAlias(ctx context.Context, e env, name string) (cluster.AliasStatus, error) {
	i, k, err := layout.ParseAlias(name)
	if err != nil {
		return cluster.AliasStatus{}, err
	}
	s, err := resolve(ctx, e, layout.ClusterName(i))
	if err != nil {
		return cluster.AliasStatus{}, err
	}
	var names []string
	for _, a := range s.Aliases {
		if a.K == k {
			return a, nil
		}
		names = append(names, a.Name)
	}
	return cluster.AliasStatus{}, fmt.Errorf("%s has no alias %q (its names: %s; add aliases with up --aliases)",
		s.Name, name, strings.Join(names, ", "))
}

// writeKubeconfig rewrites the merged kubeconfig for the clusters that have
// state, or removes it when there are none.
func writeKubeconfig(e env) error {
	all, err := states(e)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		if err := os.Remove(e.layout.Kubeconfig()); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	var clusters []kubeconfig.Cluster
	for _, s := range all {
		kc := kubeconfig.Cluster{Name: s.Name, Server: cluster.ServerURL(s.Ports.Proxy), Dir: e.layout.Cluster(s.Name)}
		for _, a := range s.Aliases {
			kc.Aliases = append(kc.Aliases, kubeconfig.Alias{Name: a.Name, K: a.K, Server: cluster.ServerURL(a.Ports.Proxy)})
		}
		clusters = append(clusters, kc)
	}
	return kubeconfig.WriteMerged(e.layout.Kubeconfig(), clusters)
}
