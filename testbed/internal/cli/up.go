package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"sync"
	"time"

	"archipelago.dev/testbed/internal/cluster"
	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/pki"
	"archipelago.dev/testbed/internal/ports"
	"archipelago.dev/testbed/internal/state"
)

// DefaultClusters is the number of clusters `up` starts without --clusters.
const DefaultClusters = 3

// upArgs are the validated arguments of `up`.
type upArgs struct {
	clusters int
	aliases  int // names per cluster, its own included: 1 means no extra aliases
	basePort int
	baseSet  bool
}

func parseUp(args []string) (upArgs, error) {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	n := fs.Int("clusters", DefaultClusters, "")
	aliases := fs.Int("aliases", 1, "")
	base := fs.Int("base-port", ports.DefaultBase, "")
	rest, err := parse(fs, args)
	if err != nil {
		return upArgs{}, err
	}
	if len(rest) > 0 {
		return upArgs{}, usagef("unexpected argument %q", rest[0])
	}
	if *n < 1 || *n > layout.MaxClusters {
		return upArgs{}, usagef("--clusters must be between 1 and %d, got %d", layout.MaxClusters, *n)
	}
	if *aliases < 1 || *aliases > ports.MaxAliases {
		return upArgs{}, usagef("--aliases must be between 1 and %d (names per cluster, its own included), got %d", ports.MaxAliases, *aliases)
	}
	a := upArgs{clusters: *n, aliases: *aliases, basePort: *base}
	fs.Visit(func(f *flag.Flag) { a.baseSet = a.baseSet || f.Name == "base-port" })
	if err := ports.ValidateBase(a.basePort, a.clusters, a.aliases); err != nil {
		return upArgs{}, usagef("%v", err)
	}
	return a, nil
}

// runUp starts the clusters that are not running. Clusters that run are left
// alone; a cluster with a dead component is restarted. If any start fails,
// every cluster started by this run is stopped again.
func runUp(ctx context.Context, e env, args []string) error {
	a, err := parseUp(args)
	if err != nil {
		return err
	}
	unlock, err := lock(e)
	if err != nil {
		return err
	}
	defer unlock()

	base, err := settleBasePort(e, a)
	if err != nil {
		return err
	}

	var toStart []int
	newAliases := map[int][]state.Alias{} // by cluster index: alias proxies to start
	for i := 1; i <= a.clusters; i++ {
		c := e.layout.Cluster(layout.ClusterName(i))
		s, ok, err := cluster.Inspect(ctx, c)
		if err != nil {
			return err
		}
		switch {
		case ok && s.Running():
			fmt.Fprintf(e.out, "%s already running at %s\n", c.Name, s.Server)
			if newAliases[i] = cluster.MissingAliases(c, *s.State, base, a.aliases); len(newAliases[i]) > 0 {
				// A cluster started before aliases existed has no tokens for them.
				if _, err := pki.AliasToken(c, a.aliases); err != nil {
					return err
				}
			}
			continue
		case ok:
			fmt.Fprintf(e.out, "%s has stopped components (%v); restarting it\n", c.Name, s.Down)
			if err := cluster.Remove(c); err != nil {
				return err
			}
		}
		toStart = append(toStart, i)
		newAliases[i] = cluster.MissingAliases(c, state.Cluster{Index: i}, base, a.aliases)
	}

	// Every port is checked before anything starts, so a conflict leaves
	// nothing half-started.
	for _, i := range toStart {
		if err := ports.CheckFree(layout.ClusterName(i), ports.ForCluster(base, i)); err != nil {
			return err
		}
	}
	for _, list := range newAliases {
		for _, al := range list {
			if err := ports.CheckNamed(al.Name, al.Ports.All()); err != nil {
				return err
			}
		}
	}
	if err := startAll(ctx, e, base, toStart); err != nil {
		return err
	}
	if err := startAliases(ctx, e, toStart, newAliases); err != nil {
		return err
	}
	if err := writeKubeconfig(e); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "kubeconfig: %s\n", e.layout.Kubeconfig())
	return nil
}

// settleBasePort returns the base port to use: the one the running testbed
// already uses, or the requested one when nothing runs.
func settleBasePort(e env, a upArgs) (int, error) {
	saved, ok, err := state.ReadSettings(e.layout.Settings())
	if err != nil {
		return 0, err
	}
	running, err := states(e)
	if err != nil {
		return 0, err
	}
	if ok && len(running) > 0 {
		if a.baseSet && a.basePort != saved.BasePort {
			return 0, fmt.Errorf("the running testbed uses --base-port %d; run `down` first to change it", saved.BasePort)
		}
		if err := ports.ValidateBase(saved.BasePort, a.clusters, a.aliases); err != nil {
			return 0, usagef("%v", err)
		}
		return saved.BasePort, nil
	}
	return a.basePort, state.WriteSettings(e.layout.Settings(), state.Settings{BasePort: a.basePort})
}

// startAll starts the clusters concurrently; on any failure it removes all of
// them, including those that did start, and reports every failure.
func startAll(ctx context.Context, e env, base int, indexes []int) error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for _, i := range indexes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := e.layout.Cluster(layout.ClusterName(i))
			began := time.Now()
			err := cluster.Start(ctx, c, i, ports.ForCluster(base, i), e.bin)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			fmt.Fprintf(e.out, "%s ready at %s (%.1fs)\n", c.Name, cluster.ServerURL(ports.ForCluster(base, i).Proxy), time.Since(began).Seconds())
		}()
	}
	wg.Wait()
	if len(errs) == 0 {
		return nil
	}
	for _, i := range indexes {
		_ = cluster.Remove(e.layout.Cluster(layout.ClusterName(i)))
	}
	_ = writeKubeconfig(e)
	return fmt.Errorf("start failed; stopped the %d cluster(s) this run started:\n%w", len(indexes), errors.Join(errs...))
}

// startAliases starts the alias proxies of every cluster, clusters in
// parallel. On any failure it stops the clusters this run started and the
// aliases it started on clusters that were already running, so a failed
// `up` leaves what ran before and nothing else.
func startAliases(ctx context.Context, e env, startedClusters []int, aliases map[int][]state.Alias) error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for i, list := range aliases {
		if len(list) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := e.layout.Cluster(layout.ClusterName(i))
			err := cluster.StartAliases(ctx, c, list, e.bin)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			first, last := list[0], list[len(list)-1]
			fmt.Fprintf(e.out, "%s: %d alias(es) %s..%s on ports %d-%d\n", c.Name, len(list), first.Name, last.Name,
				first.Ports.Proxy, last.Ports.Control)
		}()
	}
	wg.Wait()
	if len(errs) == 0 {
		return nil
	}
	for i, list := range aliases {
		c := e.layout.Cluster(layout.ClusterName(i))
		if slices.Contains(startedClusters, i) {
			_ = cluster.Remove(c)
			continue
		}
		var ks []int
		for _, al := range list {
			ks = append(ks, al.K)
		}
		_ = cluster.StopAliases(c, ks)
	}
	_ = writeKubeconfig(e)
	return fmt.Errorf("alias start failed; stopped what this run started:\n%w", errors.Join(errs...))
}
