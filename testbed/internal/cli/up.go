package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync"
	"time"

	"archipelago.dev/testbed/internal/cluster"
	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/ports"
	"archipelago.dev/testbed/internal/state"
)

// DefaultClusters is the number of clusters `up` starts without --clusters.
const DefaultClusters = 3

// upArgs are the validated arguments of `up`.
type upArgs struct {
	clusters int
	basePort int
	baseSet  bool
}

func parseUp(args []string) (upArgs, error) {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	n := fs.Int("clusters", DefaultClusters, "")
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
	a := upArgs{clusters: *n, basePort: *base}
	fs.Visit(func(f *flag.Flag) { a.baseSet = a.baseSet || f.Name == "base-port" })
	if err := ports.ValidateBase(a.basePort, a.clusters); err != nil {
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
	for i := 1; i <= a.clusters; i++ {
		c := e.layout.Cluster(layout.ClusterName(i))
		s, ok, err := cluster.Inspect(ctx, c)
		if err != nil {
			return err
		}
		switch {
		case ok && s.Running():
			fmt.Fprintf(e.out, "%s already running at %s\n", c.Name, s.Server)
			continue
		case ok:
			fmt.Fprintf(e.out, "%s has stopped components (%v); restarting it\n", c.Name, s.Down)
			if err := cluster.Remove(c); err != nil {
				return err
			}
		}
		toStart = append(toStart, i)
	}

	// Every port is checked before anything starts, so a conflict leaves
	// nothing half-started.
	for _, i := range toStart {
		if err := ports.CheckFree(layout.ClusterName(i), ports.ForCluster(base, i)); err != nil {
			return err
		}
	}
	if err := startAll(ctx, e, base, toStart); err != nil {
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
		if err := ports.ValidateBase(saved.BasePort, a.clusters); err != nil {
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
